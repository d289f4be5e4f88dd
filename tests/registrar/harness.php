<?php
/**
 * Calls one function of the real registrar module outside WHMCS, the way WHMCS calls it
 * (opbridge_<Function>($params)), with the hook file loaded as WHMCS loads it on every
 * request, and reports what happened as JSON on stdout.
 *
 *   php harness.php <Function> '<params as JSON>' ['<posted form as JSON>']
 *
 * Environment: as tests/hook/harness.php (OPBRIDGE_HARNESS_DB is the WHMCS database with
 * the spool, shared with the hook harness).
 *
 * Output: {"result", "exception", "api_calls", "module_log", "spool", "php_errors"}; a
 * ResultsList result is reported as the list of its SearchResults, a registrar Domain as
 * the values set on it.
 */

declare(strict_types=1);

require dirname(__DIR__) . '/hook/whmcs_functions.php';

[, $function, $paramsJson, $postJson] = $argv + [null, '', '{}', '{}'];
if ($function === '') {
    fwrite(STDERR, "usage: php harness.php <Function> '<params as JSON>'\n");
    exit(2);
}
require dirname(__DIR__, 2) . '/whmcs/includes/hooks/opbridge.php';
require dirname(__DIR__, 2) . '/whmcs/modules/registrars/opbridge/opbridge.php';

$params = json_decode($paramsJson, true, 512, JSON_THROW_ON_ERROR);
// A form the client posted to a custom client-area function, as PHP gives it to WHMCS.
$_POST = json_decode($postJson, true, 512, JSON_THROW_ON_ERROR);
$name = "opbridge_{$function}";
$result = null;
$exception = null;
if (!function_exists($name)) {
    $exception = "{$name} is not defined";
} else {
    try {
        $result = in_array($function, ['MetaData', 'getConfigArray', 'AdminCustomButtonArray', 'ClientAreaCustomButtonArray', 'ClientAreaAllowedFunctions'], true) ? $name() : $name($params);
    } catch (Throwable $error) {
        $exception = get_class($error) . ': ' . $error->getMessage();
    }
}
if ($result instanceof WHMCS\Domains\DomainLookup\ResultsList) {
    $result = ['ResultsList' => $result->toArray()];
} elseif ($result instanceof WHMCS\Domain\Registrar\Domain) {
    $result = ['Domain' => $result->toArray()];
}
echo json_encode([
    'result' => $result,
    'exception' => $exception,
    'api_calls' => Harness::$apiCalls,
    'module_log' => Harness::$moduleLog,
    'spool' => harness_spool(),
    'php_errors' => Harness::$phpErrors,
], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), "\n";
