<?php
/**
 * opbridge registrar module for WHMCS: the file WHMCS loads. It keeps to PHP 7.4's grammar
 * and checks the PHP version before loading anything newer, so that on an older PHP WHMCS
 * shows what opbridge needs instead of failing: the module's functions are then the ones
 * of lib/php_too_old.php, each answering that sentence as its error. The module itself is
 * lib/module.php.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/lib/php_version.php';
if (opbridge_php_too_old()) {
    require_once __DIR__ . '/lib/php_too_old.php';
    return;
}
require_once __DIR__ . '/lib/module.php';
