<?php
/**
 * opbridge: the registrar module's writes: one signed event each, and the module's answer
 * from its outcome (done, refused with Openprovider's or opbridge's sentence, or pending;
 * see outcome.php).
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

// The writes whose outcome WHMCS's own flow reacts to: the action (as opbridge reports it)
// and what WHMCS's error calls it.
const OPBRIDGE_LIFECYCLE = [
    'domain.registration_requested' => ['register', 'registration'],
    'domain.transfer_requested' => ['transfer', 'transfer'],
    'domain.renewal_requested' => ['renew', 'renewal'],
];

/**
 * Sends one event and turns its outcome into the module's answer: waits for the commands
 * to end (lib/outcome.php), so a refusal at Openprovider comes back as WHMCS's error.
 *
 * @param true|string $success the success value WHMCS expects from this function
 */
function opbridge_write(array $params, string $action, string $type, array $data, bool|string $success, ?string $webhookId = null): array
{
    $settings = opbridge_module_settings($params);
    $sent = opbridge_write_event($params, $settings, $action, $type, $data, $webhookId);
    if ($sent['outcome'] === 'rejected') {
        return ['error' => 'opbridge refused the request: ' . opbridge_refusal($sent['answer'], $sent['detail'])];
    }
    if ($sent['outcome'] === 'failed') {
        return ['error' => $sent['detail']];
    }
    [$lifecycle, $wrote] = OPBRIDGE_LIFECYCLE[$type] ?? ['change', 'change'];
    $expiryBefore = $type === 'domain.renewal_requested' ? (string) $data['expiry_date'] : null;
    if ($sent['outcome'] === 'spooled') {
        return opbridge_outcome_answer($params, $wrote, ['state' => 'unknown', 'action' => $lifecycle], $success, $expiryBefore);
    }
    $budget = opbridge_wait_setting($params);
    $outcome = opbridge_outcome($settings, $params, $action, $sent['webhook_id'], opbridge_wait_left($budget));
    $duplicate = ($sent['answer']['status'] ?? '') === 'duplicate';
    if ($outcome['state'] === 'dead' && $duplicate && $webhookId !== null) {
        // WHMCS asks again (its Module Queue, a second press) for work that went dead:
        // it runs again under a new id; opbridge still never repeats one that was done.
        $sent = opbridge_write_event($params, $settings, $action, $type, $data, $webhookId . '-retry-' . bin2hex(random_bytes(4)));
        if ($sent['outcome'] !== 'delivered') {
            return ['error' => 'opbridge could not take the retry now: ' . $sent['detail']];
        }
        $outcome = opbridge_outcome($settings, $params, $action, $sent['webhook_id'], opbridge_wait_left($budget));
    }
    return opbridge_outcome_answer($params, $wrote, $outcome, $success, $expiryBefore);
}

/**
 * Delivers (or spools) one event and logs it.
 *
 * @return array{outcome: 'delivered'|'rejected'|'spooled'|'failed', detail: string, answer: array, webhook_id: string}
 */
function opbridge_write_event(array $params, array $settings, string $action, string $type, array $data, ?string $webhookId): array
{
    $masks = opbridge_secret_masks($settings, $params, $data);
    $request = ['event' => $type, 'data' => opbridge_masked($data)];
    try {
        $sent = opbridge_send($settings, $type, $data, $webhookId);
    } catch (Throwable $error) {
        $message = 'opbridge could neither deliver nor spool the request: ' . $error->getMessage();
        opbridge_log($action, $request, $message, 'failed', $masks);
        return ['outcome' => 'failed', 'detail' => $message, 'answer' => [], 'webhook_id' => (string) $webhookId];
    }
    $answer = $sent['answer'];
    $processed = match ($sent['outcome']) {
        'delivered' => ($answer['status'] ?? '') === 'duplicate'
            ? "already received as event {$sent['webhook_id']}: nothing new queued"
            : 'queued as command(s) ' . implode(', ', array_map('strval', (array) ($answer['commands'] ?? []))),
        'spooled' => "opbridge could not take it now ({$sent['detail']}); spooled, the WHMCS cron resends it",
        default => 'refused',
    };
    opbridge_log($action, $request + ['webhook_id' => $sent['webhook_id']], $answer ?: $sent['detail'], $processed, $masks);
    return $sent;
}

/**
 * opbridge's sentence, with the field messages of a 422 when there are any.
 */
function opbridge_refusal(array $answer, string $fallback): string
{
    $message = (string) ($answer['message'] ?? $fallback);
    $fields = [];
    $details = is_array($answer['details'] ?? null) ? $answer['details'] : [];
    array_walk_recursive($details, static function ($text, $field) use (&$fields): void {
        $fields[] = is_string($field) ? "{$field}: {$text}" : (string) $text;
    });
    return $fields === [] ? $message : $message . ' (' . implode('; ', $fields) . ')';
}

/**
 * A glue host under the domain gets $ip, or is deleted when $ip is null. WHMCS passes the
 * host in full (ns1.example.com) or, from some forms, only its first label.
 */
function opbridge_private_nameserver(array $params, string $action, ?string $ip): array
{
    $domain = opbridge_domain_name($params);
    $host = strtolower(trim((string) ($params['nameserver'] ?? ''), " \t\n\r\0\x0B."));
    if ($host !== '' && !str_ends_with($host, '.' . strtolower($domain))) {
        $host .= '.' . strtolower($domain);
    }
    $data = opbridge_domain_reference($params) + ['nameserver' => $host, 'ip' => $ip === null ? null : trim($ip)];
    return opbridge_write($params, $action, 'domain.private_nameserver_changed', $data, 'success');
}
