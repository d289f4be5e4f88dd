<?php
/**
 * Runs the real hook file outside WHMCS and reports what it did, as JSON on stdout.
 *
 *   php harness.php <HookName> '<vars as JSON>'
 *
 * Environment: OPBRIDGE_HARNESS_DB (SQLite file standing in for the WHMCS database),
 * OPBRIDGE_HARNESS_ROOT (the WHMCS root, where configuration.php is looked for),
 * OPBRIDGE_HARNESS_PATCH (JSON {"domains": {"<id>": {field: value}}} applied to the fixture),
 * OPBRIDGE_HARNESS_SESSION (JSON, the $_SESSION WHMCS would hold),
 * plus the hook's own OPBRIDGE_HOOK_URL / OPBRIDGE_HOOK_SECRET / OPBRIDGE_WHMCS_REGISTRAR.
 *
 * Output: {"registered", "results", "api_calls", "module_log", "activity_log", "spool", "php_errors"}.
 */

declare(strict_types=1);

require __DIR__ . '/whmcs_functions.php';

[, $hookName, $varsJson] = $argv + [null, '', '{}'];
if ($hookName === '') {
    fwrite(STDERR, "usage: php harness.php <HookName> '<vars as JSON>'\n");
    exit(2);
}
require dirname(__DIR__, 2) . '/whmcs/includes/hooks/opbridge.php';

$vars = json_decode($varsJson, true, 512, JSON_THROW_ON_ERROR);
// The session WHMCS keeps (the cart's domains, for the checkout hook), as OPBRIDGE_HARNESS_SESSION gives it.
$_SESSION = json_decode(getenv('OPBRIDGE_HARNESS_SESSION') ?: '[]', true, 512, JSON_THROW_ON_ERROR);
$results = [];
foreach (Harness::$hooks as [$name, $priority, $callback]) {
    if ($name === $hookName) {
        $results[] = $callback($vars);
    }
}
echo json_encode([
    'registered' => array_values(array_unique(array_column(Harness::$hooks, 0))),
    'results' => $results,
    'api_calls' => Harness::$apiCalls,
    'module_log' => Harness::$moduleLog,
    'activity_log' => Harness::$activityLog,
    'spool' => harness_spool(),
    'php_errors' => Harness::$phpErrors,
], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), "\n";
