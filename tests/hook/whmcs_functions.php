<?php
/**
 * Stand-ins for the WHMCS functions the hook file and the registrar module call, with the
 * signatures WHMCS publishes (sources as in whmcs_classes.php: [dev:<page>] is a page of
 * GitHub WHMCS/developer-docs, [sample] WHMCS/sample-registrar-module), recording what they
 * were given. The WHMCS data comes from whmcs_data.php, patched by OPBRIDGE_HARNESS_PATCH
 * (JSON {"domains": {"<id>": {field: value}}}).
 */

declare(strict_types=1);

// Deprecations included: the files have to keep working on the PHP versions after 8.1.
error_reporting(E_ALL);
define('WHMCS', true);
define('ROOTDIR', getenv('OPBRIDGE_HARNESS_ROOT') ?: __DIR__);
// The PHP version the module's and hook file's guard sees (lib/php_version.php), to walk
// their too-old path on this machine's newer PHP. No part of WHMCS.
if (getenv('OPBRIDGE_HARNESS_PHP_VERSION_ID') !== false) {
    define('OPBRIDGE_TEST_PHP_VERSION_ID', (int) getenv('OPBRIDGE_HARNESS_PHP_VERSION_ID'));
}

require __DIR__ . '/whmcs_classes.php';

/** What the stand-ins recorded, for the harness's report; no part of WHMCS. */
final class Harness
{
    /** @var list<array{0: string, 1: int, 2: callable}> */
    public static array $hooks = [];
    public static array $apiCalls = [];
    public static array $moduleLog = [];
    public static array $activityLog = [];
    public static array $phpErrors = [];
    public static array $data = [];
}

/** [dev:hooks/getting-started] [dev:hooks/priority] add_hook($hookPoint, $priority, $function). */
function add_hook(string $name, int $priority, callable $callback): void
{
    Harness::$hooks[] = [$name, $priority, $callback];
}

/** [dev:advanced/logging] [sample] tests/_bootstrap.php: writes the Module Log, masking $replaceVars. */
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

/** [dev:advanced/logging] logActivity($message, $clientId): a line in the Activity Log. */
function logActivity(string $message, int $clientId = 0): void
{
    Harness::$activityLog[] = ['message' => $message, 'clientid' => $clientId];
}

/**
 * [dev:api/internal-api] localAPI($command, $values, $adminuser): the API actions the hook
 * and the module use, answering in the shapes of [dev:api-reference/<action>] as WHMCS 8
 * fills them. UpdateClientDomain only records what it was asked.
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

/**
 * What a module left in a WHMCS object published with setters only (ImportItem): its
 * private state, read from outside by the harness, never by the module.
 */
function harness_state(object $object): array
{
    return (fn (): array => get_object_vars($this))->call($object);
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
