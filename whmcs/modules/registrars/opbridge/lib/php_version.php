<?php
/**
 * The PHP the module and the hook file need, checked before anything newer is loaded. This
 * file and the two files WHMCS loads by itself (the module's opbridge.php and
 * includes/hooks/opbridge.php) keep to PHP 7.4's grammar and functions, so that on an older
 * PHP they still parse and say what is needed instead of breaking WHMCS: every module
 * function answers the sentence as its error, and the hook file does nothing and writes the
 * sentence once to WHMCS's Activity Log. tests/php74 checks the grammar.
 */

declare(strict_types=1);

const OPBRIDGE_PHP_NEEDED_ID = 80100;
const OPBRIDGE_PHP_NEEDED = '8.1';

/**
 * The running PHP as PHP_VERSION_ID. The test harnesses define OPBRIDGE_TEST_PHP_VERSION_ID
 * to walk the too-old path on a newer PHP; nothing else defines it.
 */
function opbridge_php_version_id(): int
{
    return defined('OPBRIDGE_TEST_PHP_VERSION_ID') ? (int) constant('OPBRIDGE_TEST_PHP_VERSION_ID') : PHP_VERSION_ID;
}

function opbridge_php_too_old(): bool
{
    return opbridge_php_version_id() < OPBRIDGE_PHP_NEEDED_ID;
}

function opbridge_php_needed(): string
{
    $id = opbridge_php_version_id();
    $running = intdiv($id, 10000) . '.' . intdiv($id % 10000, 100) . '.' . ($id % 100);
    return 'opbridge needs PHP ' . OPBRIDGE_PHP_NEEDED . " or later; this WHMCS runs PHP {$running}, so opbridge "
        . 'does nothing. Upgrade PHP (WHMCS 8.8 and later run on PHP 8.1), or remove opbridge\'s files.';
}

/**
 * The hook file's notice, written to PHP's error log and WHMCS's Activity Log once per PHP
 * version (a marker file in the system's temporary directory), not on every page.
 */
function opbridge_php_notice_once(): void
{
    $marker = sys_get_temp_dir() . '/opbridge-php-notice-' . opbridge_php_version_id();
    if (is_file($marker)) {
        return;
    }
    error_log(opbridge_php_needed());
    // Without a marker every page would write it again: then PHP's error log only.
    if (@file_put_contents($marker, date('c')) !== false && function_exists('logActivity')) {
        logActivity(opbridge_php_needed());
    }
}
