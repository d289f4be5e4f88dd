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
 * Output: {"result", "exception", "api_calls", "module_log", "activity_log", "spool",
 * "php_errors"}; a WHMCS object the module answers is reported through its published getters
 * (harness_reported()).
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
echo json_encode([
    'result' => harness_reported($result),
    'exception' => $exception,
    'api_calls' => Harness::$apiCalls,
    'module_log' => Harness::$moduleLog,
    'activity_log' => Harness::$activityLog,
    'spool' => harness_spool(),
    'php_errors' => Harness::$phpErrors,
], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), "\n";

/**
 * The module's answer as JSON can carry it: a lookup ResultsList as its SearchResults, a
 * TLD ResultsList as the values set on each ImportItem, a registrar Domain as the values its getters give
 * (unset ones left out, dates as Y-m-d).
 */
function harness_reported($result)
{
    if ($result instanceof WHMCS\Domains\DomainLookup\ResultsList) {
        return ['ResultsList' => array_map(static fn (WHMCS\Domains\DomainLookup\SearchResult $found): array => [
            'sld' => $found->getSecondLevel(), 'tld' => $found->getTopLevel(), 'status' => $found->getStatus(),
            'premium' => $found->isPremium(), 'pricing' => $found->getPremiumCostPricing(),
        ], $result->toArray())];
    }
    if ($result instanceof WHMCS\Results\ResultsList) {
        // ImportItem publishes setters only: what the module set is read from the stand-in.
        return ['ImportItems' => array_map(static fn ($item): array => harness_state($item)['values'], $result->toArray())];
    }
    if ($result instanceof WHMCS\Domain\Registrar\Domain) {
        $values = [];
        foreach (get_class_methods($result) as $method) {
            if (strncmp($method, 'get', 3) === 0) {
                $value = $result->{$method}();
                $values[lcfirst(substr($method, 3))] = $value instanceof DateTimeInterface ? $value->format('Y-m-d') : $value;
            }
        }
        return ['Domain' => array_filter($values, static fn ($value): bool => $value !== null && $value !== [])];
    }
    return $result;
}
