<?php
/**
 * Loads the registrar module the way WHMCS does, beside the stand-ins of WHMCS's functions
 * and classes (tests/hook/whmcs_functions.php, built from WHMCS's published sources) and
 * the hook file WHMCS includes on every request.
 *
 * Environment: OPBRIDGE_PHPUNIT_SETTINGS, the module settings as JSON (ListenerURL,
 * WebhookSecret, AdminURL, AdminToken, Timeout); without it opbridge is unreachable and
 * every function must still answer in its published shape. OPBRIDGE_HARNESS_DB as for the
 * other harnesses (the spool).
 */

declare(strict_types=1);

require dirname(__DIR__) . '/hook/whmcs_functions.php';
require dirname(__DIR__, 2) . '/whmcs/includes/hooks/opbridge.php';
require dirname(__DIR__, 2) . '/whmcs/modules/registrars/opbridge/opbridge.php';
// The stand-ins collect PHP notices for the harnesses; PHPUnit reports them itself.
restore_error_handler();
