<?php
/**
 * WHMCS's own flow around a registrar module's register, transfer and renew, played in one
 * PHP process as one WHMCS request (an admin's button, an accepted order, a cron run), with
 * the real hook file and module loaded and localAPI answered by the WHMCS sandbox
 * (whmcs_remote.php). What WHMCS does around the module call, from reference/whmcs.md
 * (WHMCS 8.7.2's RegRegisterDomain/RegTransferDomain/RegRenewDomain and the admin page):
 *   success: WHMCS writes the domain (register: Active, today + years; transfer: Pending
 *            Transfer; renew: Active, the old expiry + years), runs AfterRegistrar<Action>,
 *            then sends the client's confirmation through sendMessage(), which runs the
 *            EmailPreSend hooks first and sends nothing when one answers abortsend;
 *   error:   WHMCS runs AfterRegistrar<Action>Failed, leaves the domain as it was, and
 *            files the action in its Module Queue (tblmodulequeue) for a retry.
 *
 *   php flow.php '[{"action": "register"|"transfer"|"renew", "params": {...}}, ...]'
 *
 * Output: {"steps": [{"action", "result", "ms", "module_queue", "sent", "held"}], "module_log", "php_errors"}.
 */

declare(strict_types=1);

require __DIR__ . '/whmcs_remote.php';
require dirname(__DIR__) . '/hook/whmcs_functions.php';
require dirname(__DIR__, 2) . '/whmcs/includes/hooks/opbridge.php';
require dirname(__DIR__, 2) . '/whmcs/modules/registrars/opbridge/opbridge.php';

const FLOW = [
    'register' => ['RegisterDomain', 'AfterRegistrarRegistration', 'Domain Registration Confirmation'],
    'transfer' => ['TransferDomain', 'AfterRegistrarTransfer', 'Domain Transfer Initiated'],
    'renew' => ['RenewDomain', 'AfterRegistrarRenewal', 'Domain Renewal Confirmation'],
];

function flow_hooks(string $name, array $vars): array
{
    $answers = [];
    foreach (Harness::$hooks as [$hook, , $callback]) {
        if ($hook === $name) {
            $answers[] = $callback($vars);
        }
    }
    return $answers;
}

/** WHMCS's sendMessage(): EmailPreSend may abort; otherwise the mail goes out. */
function flow_send_message(string $template, int $domainId): bool
{
    foreach (flow_hooks('EmailPreSend', ['messagename' => $template, 'relid' => $domainId, 'mergefields' => []]) as $answer) {
        if (is_array($answer) && !empty($answer['abortsend'])) {
            return false;
        }
    }
    localAPI('SendEmail', ['messagename' => $template, 'id' => $domainId]);
    return true;
}

function flow_step(string $action, array $params): array
{
    [$function, $hook, $template] = FLOW[$action];
    $domainId = (int) $params['domainid'];
    $started = microtime(true);
    $result = ("opbridge_{$function}")($params);
    $step = ['action' => $action, 'result' => $result, 'ms' => round((microtime(true) - $started) * 1000, 1)];
    if (isset($result['error'])) {
        flow_hooks("{$hook}Failed", ['params' => $params, 'error' => $result['error']]);
        return $step + ['module_queue' => ['domainid' => $domainId, 'action' => $function, 'error' => $result['error']]];
    }
    $years = (int) ($params['regperiod'] ?? 1);
    $written = match ($action) {
        'register' => ['status' => 'Active', 'regdate' => date('Y-m-d'), 'expirydate' => date('Y-m-d', strtotime("+{$years} years"))],
        'transfer' => ['status' => 'Pending Transfer'],
        'renew' => ['status' => 'Active', 'expirydate' => date('Y-m-d', strtotime("{$params['expiryDate']} +{$years} years"))],
    };
    localAPI('UpdateClientDomain', ['domainid' => $domainId] + $written);
    flow_hooks($hook, ['params' => $params]);
    $sent = flow_send_message($template, $domainId);
    return $step + ['module_queue' => null, 'sent' => $sent ? $template : null, 'held' => $sent ? null : $template];
}

$steps = json_decode($argv[1] ?? '[]', true, 512, JSON_THROW_ON_ERROR);
$done = [];
foreach ($steps as $step) {
    $done[] = flow_step((string) $step['action'], (array) $step['params']);
}
echo json_encode([
    'steps' => $done,
    'module_log' => Harness::$moduleLog,
    'php_errors' => Harness::$phpErrors,
], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), "\n";
