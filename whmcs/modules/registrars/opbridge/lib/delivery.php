<?php
/**
 * opbridge: signed delivery of events to the listener (Standard Webhooks), spooling what
 * cannot be delivered now and resending it from the cron in order.
 */

declare(strict_types=1);

use WHMCS\Config\Setting;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * Sends one event, or spools it when the listener cannot take it now. While anything is
 * spooled, new events join the queue behind it: the listener orders a domain's work by
 * arrival, so an "auto-renew on" must not overtake an earlier "off" that is still waiting.
 *
 * @return array{outcome: 'delivered'|'rejected'|'spooled', status: int, detail: string, answer: array}
 */
function opbridge_send(array $target, string $type, array $data, ?string $webhookId = null): array
{
    $webhookId ??= $type . '-' . bin2hex(random_bytes(12));
    // Escaped Unicode keeps the body ASCII, so any database charset can spool it; a stray
    // non-UTF-8 byte in WHMCS data becomes U+FFFD instead of costing the whole event.
    $body = json_encode([
        'type' => $type,
        'occurred_at' => gmdate(DATE_ATOM),
        'source' => [
            'system_url' => (string) Setting::getValue('SystemURL'),
            'whmcs_version' => (string) Setting::getValue('Version'),
        ],
        'data' => $data,
    ], JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);

    $spool = opbridge_spool();
    if (opbridge_spool_size($spool) > 0) {
        $reason = 'queued behind earlier undelivered events';
        opbridge_spool_add($spool, $target, $webhookId, $type, $body, $reason);
        return ['outcome' => 'spooled', 'status' => 0, 'detail' => $reason, 'answer' => [], 'webhook_id' => $webhookId];
    }
    $delivery = opbridge_deliver($target, $webhookId, $body);
    if ($delivery['outcome'] === 'retry') {
        opbridge_spool_add($spool, $target, $webhookId, $type, $body, $delivery['detail']);
        $delivery['outcome'] = 'spooled';
    }
    return $delivery + ['webhook_id' => $webhookId];
}

/**
 * Called from AfterCronJob. Oldest first, and stops at the first event the listener cannot
 * take yet, so the order of events is kept and an unreachable listener costs one timeout.
 */
function opbridge_resend_spool(array $target): void
{
    $spool = opbridge_spool();
    $rows = $spool->query(
        'SELECT webhook_id, body FROM mod_opbridge_spool ORDER BY queued_at, webhook_id LIMIT 200'
    )->fetchAll(PDO::FETCH_ASSOC);
    foreach ($rows as $row) {
        $body = opbridge_spool_open($target, (string) $row['body']);
        $delivery = $body === null
            ? ['outcome' => 'retry', 'detail' => 'the spooled event was sealed with another webhook secret']
            : opbridge_deliver($target, (string) $row['webhook_id'], $body);
        if ($delivery['outcome'] === 'retry') {
            $spool->prepare(
                'UPDATE mod_opbridge_spool SET attempts = attempts + 1, last_error = ? WHERE webhook_id = ?'
            )->execute([opbridge_excerpt($delivery['detail'], 255), $row['webhook_id']]);
            return;
        }
        $spool->prepare('DELETE FROM mod_opbridge_spool WHERE webhook_id = ?')->execute([$row['webhook_id']]);
    }
}

/**
 * Signs with a fresh timestamp (the listener refuses ones older than 300 s, and a spooled
 * event may be hours old) and posts once.
 *
 * @return array{outcome: 'delivered'|'rejected'|'retry', status: int, detail: string, answer: array}
 */
function opbridge_deliver(array $target, string $webhookId, string $body): array
{
    $key = opbridge_signing_key((string) ($target['secret'] ?? ''));
    $url = (string) ($target['url'] ?? '');
    if ($url === '' || $key === null) {
        $detail = 'opbridge URL or secret (whsec_<base64>) is not configured';
        opbridge_log('deliver', "webhook-id: {$webhookId}", $detail, '', opbridge_masks($target));
        return ['outcome' => 'retry', 'status' => 0, 'detail' => $detail, 'answer' => []];
    }
    $timestamp = time();
    $signature = base64_encode(hash_hmac('sha256', "{$webhookId}.{$timestamp}.{$body}", $key, true));
    $response = opbridge_http('POST', $url, [
        'Content-Type: application/json',
        "webhook-id: {$webhookId}",
        "webhook-timestamp: {$timestamp}",
        "webhook-signature: v1,{$signature}",
    ], $body, $target);

    $status = $response['status'];
    $outcome = match (true) {
        $status >= 200 && $status < 300 => 'delivered',
        // The listener judged the event itself; sending the same bytes again cannot help.
        in_array($status, [400, 413, 415, 422], true) => 'rejected',
        // Anything else (no answer, 401 until the secret is fixed, 503, ...) may pass later.
        default => 'retry',
    };
    $detail = opbridge_http_summary($response);
    opbridge_log(
        'deliver',
        "POST {$url}\nwebhook-id: {$webhookId}\nwebhook-timestamp: {$timestamp}\n\n" . opbridge_masked_body($body),
        $detail,
        $outcome,
        opbridge_masks($target)
    );
    $answer = json_decode($response['body'], true);
    return ['outcome' => $outcome, 'status' => $status, 'detail' => $detail, 'answer' => is_array($answer) ? $answer : []];
}

function opbridge_signing_key(string $secret): ?string
{
    if (!str_starts_with($secret, 'whsec_')) {
        return null;
    }
    $key = base64_decode(substr($secret, strlen('whsec_')), true);
    return $key === false || $key === '' ? null : $key;
}
