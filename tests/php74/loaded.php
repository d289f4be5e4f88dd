<?php
/**
 * Loads the hook file and the registrar module as WHMCS does (beside the stand-ins of
 * tests/hook/whmcs_functions.php) and reports, as JSON, the module functions WHMCS could
 * call, the files of whmcs/ that were loaded, and the hooks registered. With
 * OPBRIDGE_HARNESS_PHP_VERSION_ID set, the module and hook walk their too-old path.
 */

declare(strict_types=1);

require dirname(__DIR__) . '/hook/whmcs_functions.php';
require dirname(__DIR__, 2) . '/whmcs/includes/hooks/opbridge.php';
require dirname(__DIR__, 2) . '/whmcs/modules/registrars/opbridge/opbridge.php';

$functions = [];
foreach (get_defined_functions()['user'] as $function) {
    $name = (new ReflectionFunction($function))->getName();
    if (preg_match('/^opbridge_([A-Z]\w*|getConfigArray|config_validate)$/', $name, $match) === 1) {
        $functions[] = $match[1];
    }
}
$whmcs = dirname(__DIR__, 2) . '/whmcs/';
$loaded = array_values(array_map(static fn (string $file): string => substr($file, strlen($whmcs)),
    array_filter(get_included_files(), static fn (string $file): bool => strpos($file, $whmcs) === 0)));
sort($functions);
echo json_encode(['functions' => $functions, 'loaded' => $loaded, 'hooks' => array_column(Harness::$hooks, 0),
    'activity_log' => Harness::$activityLog, 'php_errors' => Harness::$phpErrors], JSON_THROW_ON_ERROR), "\n";
