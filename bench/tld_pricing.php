<?php
/**
 * GetTldPricing as WHMCS's TLD & Pricing Sync calls it, timed: php-cli loads the
 * registrar module with the published stand-ins of the classes WHMCS hands it, calls
 * opbridge_GetTldPricing once and prints JSON: items, seconds, PHP's own peak memory and
 * the process's peak resident memory (VmHWM).
 *
 *   php bench/tld_pricing.php '<module settings as JSON>'
 */

declare(strict_types=1);

define('WHMCS', true);
define('ROOTDIR', sys_get_temp_dir());
require dirname(__DIR__) . '/tests/registrar/whmcs_tld_import.php';

function logModuleCall(string $module, string $action, mixed $request, mixed $response, mixed $processed = '', array $replaceVars = []): void
{
}

require dirname(__DIR__) . '/whmcs/modules/registrars/opbridge/opbridge.php';

$params = json_decode($argv[1] ?? '{}', true, 512, JSON_THROW_ON_ERROR);
$started = hrtime(true);
$result = opbridge_GetTldPricing($params);
$seconds = (hrtime(true) - $started) / 1e9;
preg_match('/VmHWM:\s+(\d+)/', (string) file_get_contents('/proc/self/status'), $peak);
echo json_encode([
    'items' => $result instanceof WHMCS\Results\ResultsList ? count($result) : 0,
    'error' => is_array($result) ? ($result['error'] ?? null) : null,
    'seconds' => $seconds,
    'php_peak_bytes' => memory_get_peak_usage(true),
    'peak_rss_kib' => (int) ($peak[1] ?? 0),
]), "\n";
