<?php
/**
 * Stand-ins for the WHMCS functions the hook file and the registrar module call, recording
 * what they were given. The WHMCS data comes from whmcs_data.php, patched by
 * OPBRIDGE_HARNESS_PATCH (JSON {"domains": {"<id>": {field: value}}}).
 */

declare(strict_types=1);

// Deprecations included: the files have to keep working on the PHP versions after 8.1.
error_reporting(E_ALL);
define('WHMCS', true);
define('ROOTDIR', getenv('OPBRIDGE_HARNESS_ROOT') ?: __DIR__);

require __DIR__ . '/whmcs_classes.php';

final class Harness
{
    /** @var list<array{0: string, 1: int, 2: callable}> */
    public static array $hooks = [];
    public static array $apiCalls = [];
    public static array $moduleLog = [];
    public static array $phpErrors = [];
    public static array $data = [];
}

function add_hook(string $name, int $priority, callable $callback): void
{
    Harness::$hooks[] = [$name, $priority, $callback];
}

function logModuleCall(
    string $module,
    string $action,
    mixed $request,
    mixed $response,
    mixed $processed = '',
    array $replaceVars = []
): void {
    Harness::$moduleLog[] = compact('module', 'action', 'request', 'response', 'processed', 'replaceVars');
}

/**
 * The actions the hook and the module use, answering the way WHMCS 8 does (see
 * reference/whmcs.md §3). UpdateClientDomain only records what it was asked.
 */
function localAPI(string $command, array $values = [], ?string $adminUser = null): array
{
    Harness::$apiCalls[] = [$command, $values];
    if (function_exists('harness_remote_api') && getenv('OPBRIDGE_HARNESS_WHMCS_API')) {
        return harness_remote_api($command, $values); // tests/registrar/whmcs_remote.php
    }
    $data = Harness::$data;
    switch ($command) {
        case 'GetClientsDomains':
            $row = $data['domains'][(string) ($values['domainid'] ?? '')] ?? null;
            return [
                'result' => 'success',
                'clientid' => $row['userid'] ?? null,
                'domainid' => $values['domainid'] ?? null,
                'totalresults' => $row === null ? 0 : 1,
                'startnumber' => 0,
                'numreturned' => $row === null ? 0 : 1,
                // WHMCS answers an empty string, not an empty list, when nothing matches.
                'domains' => $row === null ? '' : ['domain' => [$row]],
            ];
        case 'GetOrders':
            $order = $data['orders'][(string) ($values['id'] ?? '')] ?? null;
            return [
                'result' => 'success',
                'totalresults' => $order === null ? '0' : '1',
                'startnumber' => 0,
                'numreturned' => $order === null ? 0 : 1,
                'orders' => $order === null ? '' : ['order' => [$order]],
            ];
        case 'GetInvoice':
            $invoice = $data['invoices'][(string) ($values['invoiceid'] ?? '')] ?? null;
            return $invoice === null
                ? ['result' => 'error', 'message' => 'Invoice ID Not Found']
                : ['result' => 'success'] + $invoice;
        case 'GetClientsDetails':
            $client = $data['clients'][(string) ($values['clientid'] ?? '')] ?? null;
            return $client === null
                ? ['result' => 'error', 'message' => 'Client Not Found']
                : ['result' => 'success'] + $client + ['client' => $client];
        case 'UpdateClientDomain':
            return isset($data['domains'][(string) ($values['domainid'] ?? '')])
                ? ['result' => 'success', 'domainid' => $values['domainid']]
                : ['result' => 'error', 'message' => 'Domain ID Not Found'];
        default:
            return ['result' => 'error', 'message' => "Command '{$command}' is not stubbed by the harness"];
    }
}

function harness_fixture(): array
{
    $data = require __DIR__ . '/whmcs_data.php';
    $patch = json_decode(getenv('OPBRIDGE_HARNESS_PATCH') ?: '{}', true, 512, JSON_THROW_ON_ERROR);
    foreach ($patch['domains'] ?? [] as $id => $fields) {
        $data['domains'][(string) $id] = array_merge($data['domains'][(string) $id], $fields);
    }
    return $data;
}

function harness_spool(): array
{
    $pdo = WHMCS\Database\Capsule::connection()->getPdo();
    $exists = $pdo->query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'mod_opbridge_spool'");
    if ((int) $exists->fetchColumn() === 0) {
        return [];
    }
    return $pdo->query('SELECT * FROM mod_opbridge_spool ORDER BY queued_at')->fetchAll(PDO::FETCH_ASSOC);
}

Harness::$data = harness_fixture();
set_error_handler(static function (int $level, string $message, string $file, int $line): bool {
    Harness::$phpErrors[] = "{$message} at " . basename($file) . ":{$line}";
    return true;
});
