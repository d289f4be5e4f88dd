<?php
/**
 * opbridge: the registrar module's writes: one signed event each, and the module's answer
 * from the outcome (queued, spooled or refused with opbridge's sentence).
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * Sends one event and turns the outcome into the module's answer.
 *
 * @param true|string $success the success value WHMCS expects from this function
 */
function opbridge_write(array $params, string $action, string $type, array $data, bool|string $success, ?string $webhookId = null): array
{
    $settings = opbridge_module_settings($params);
    $masks = opbridge_secret_masks($settings, $params, $data);
    $request = ['event' => $type, 'data' => opbridge_masked($data)];
    try {
        $sent = opbridge_send($settings, $type, $data, $webhookId);
    } catch (Throwable $error) {
        $message = 'opbridge could neither deliver nor spool the request: ' . $error->getMessage();
        opbridge_log($action, $request, $message, 'failed', $masks);
        return ['error' => $message];
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
    if ($sent['outcome'] === 'rejected') {
        return ['error' => 'opbridge refused the request: ' . opbridge_refusal($answer, $sent['detail'])];
    }
    return ['success' => $success];
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
