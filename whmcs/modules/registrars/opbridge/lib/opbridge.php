<?php
/**
 * opbridge: what the hook file (includes/hooks/opbridge.php) and the registrar module
 * (modules/registrars/opbridge/opbridge.php) share: WHMCS value parsing, signed delivery
 * to the listener, the spool of undelivered events, and the module log.
 *
 * A target is ['url' => listener /hooks/whmcs URL, 'secret' => whsec_<base64>,
 * 'connect_timeout' => seconds, 'timeout' => seconds].
 */

declare(strict_types=1);

use WHMCS\Config\Setting;
use WHMCS\Database\Capsule;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

const OPBRIDGE_CONNECT_TIMEOUT = 3;
const OPBRIDGE_TIMEOUT = 5;

// ---------------------------------------------------------------------------------------
// WHMCS values
// ---------------------------------------------------------------------------------------

/**
 * The entries of a WHMCS list such as {"domains": {"domain": [...]}}; WHMCS sends an empty
 * string instead of an empty list.
 */
function opbridge_list(mixed $container, string $key): array
{
    $entries = is_array($container) ? ($container[$key] ?? []) : [];
    if (!is_array($entries)) {
        return [];
    }
    return array_is_list($entries) ? $entries : [$entries];
}

/**
 * The contract wants none (use the defaults) or 2 to 5 nameservers; a lone one means the
 * customer left the form half filled, so the defaults are the better guess.
 *
 * @param list<mixed> $hosts
 */
function opbridge_nameservers(array $hosts): array
{
    $names = array_values(array_unique(array_filter(array_map(
        static fn ($host): string => strtolower(trim((string) $host)),
        $hosts
    ), static fn (string $host): bool => $host !== '')));
    return count($names) < 2 ? [] : array_slice($names, 0, 5);
}

/**
 * The nameservers of a registrar call's ns1..ns5, as opbridge_nameservers() keeps them.
 */
function opbridge_params_nameservers(array $params): array
{
    return opbridge_nameservers(array_map(static fn (int $n) => $params["ns{$n}"] ?? '', range(1, 5)));
}

/**
 * The labels of WHMCS's contact form (GetContactDetails, SaveContactDetails) by contract field.
 */
const OPBRIDGE_CONTACT_LABELS = [
    'first_name' => 'First Name',
    'last_name' => 'Last Name',
    'company_name' => 'Company Name',
    'email' => 'Email Address',
    'address1' => 'Address 1',
    'address2' => 'Address 2',
    'city' => 'City',
    'state' => 'State',
    'postcode' => 'Postcode',
    'country' => 'Country',
    'phone' => 'Phone Number',
];

/**
 * The roles of a registrar module's contactdetails form, keyed by the labels WHMCS uses.
 */
function opbridge_contact_roles(array $details): array
{
    $roles = [];
    $roleNames = ['Registrant' => 'registrant', 'Admin' => 'admin', 'Technical' => 'tech', 'Billing' => 'billing'];
    foreach ($roleNames as $label => $role) {
        $contact = opbridge_contact(is_array($details[$label] ?? null) ? $details[$label] : [], OPBRIDGE_CONTACT_LABELS);
        if ($contact !== []) {
            $roles[$role] = $contact;
        }
    }
    return $roles;
}

/**
 * A Contact of the contract from any WHMCS source; $fields maps contract field => source key.
 * Empty values are left out so optional fields stay absent.
 *
 * @param array<string, string> $fields
 */
function opbridge_contact(array $source, array $fields): array
{
    $contact = [];
    foreach ($fields as $field => $key) {
        $value = trim((string) ($source[$key] ?? ''));
        if ($value !== '') {
            $contact[$field] = $value;
        }
    }
    return $contact;
}

/**
 * WHMCS flags arrive as "1", "0", "", "on" or real booleans.
 */
function opbridge_flag(mixed $value): bool
{
    if (is_bool($value)) {
        return $value;
    }
    return in_array(strtolower(trim((string) $value)), ['1', 'on', 'true', 'yes'], true);
}

/**
 * A Y-m-d date, or null for WHMCS's unset values ("0000-00-00", "", NULL).
 */
function opbridge_date(mixed $value): ?string
{
    $text = trim((string) $value);
    if (!preg_match('/^(\d{4})-(\d{2})-(\d{2})$/', $text, $parts)) {
        return null;
    }
    return checkdate((int) $parts[2], (int) $parts[3], (int) $parts[1]) ? $text : null;
}

// ---------------------------------------------------------------------------------------
// Signing, delivery and the spool
// ---------------------------------------------------------------------------------------

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

/**
 * One HTTP request with the target's short timeouts; never throws.
 *
 * @param list<string> $headers
 * @return array{status: int, body: string, error: string}
 */
function opbridge_http(string $method, string $url, array $headers, ?string $body, array $target): array
{
    $curl = curl_init($url);
    if ($curl === false) {
        return ['status' => 0, 'body' => '', 'error' => 'curl could not start'];
    }
    $options = [
        CURLOPT_CUSTOMREQUEST => $method,
        // An empty Expect stops curl from waiting for "100 Continue" on larger bodies.
        CURLOPT_HTTPHEADER => array_merge($headers, ['Expect:']),
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CONNECTTIMEOUT => max(1, (int) ($target['connect_timeout'] ?? OPBRIDGE_CONNECT_TIMEOUT)),
        CURLOPT_TIMEOUT => max(1, (int) ($target['timeout'] ?? OPBRIDGE_TIMEOUT)),
        CURLOPT_SSL_VERIFYPEER => true,
        CURLOPT_SSL_VERIFYHOST => 2,
        CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
    ];
    if ($body !== null) {
        $options[CURLOPT_POSTFIELDS] = $body;
    }
    curl_setopt_array($curl, $options);
    $answer = curl_exec($curl);
    return [
        'status' => $answer === false ? 0 : (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE),
        'body' => $answer === false ? '' : (string) $answer,
        'error' => curl_error($curl),
    ];
}

/**
 * The spool table, created on first use. Plain SQL that MySQL/MariaDB (WHMCS) and SQLite
 * both accept; the webhook id is the key, so a re-fired hook is spooled once.
 */
function opbridge_spool(): PDO
{
    $pdo = Capsule::connection()->getPdo();
    $pdo->exec(
        'CREATE TABLE IF NOT EXISTS mod_opbridge_spool ('
        . ' webhook_id VARCHAR(128) NOT NULL PRIMARY KEY,'
        . ' event_type VARCHAR(64) NOT NULL,'
        . ' body MEDIUMTEXT NOT NULL,'
        . ' attempts INTEGER NOT NULL DEFAULT 0,'
        . ' last_error VARCHAR(255) NOT NULL DEFAULT \'\','
        // UTC with microseconds as text: sorts in spooling order on both databases.
        . ' queued_at VARCHAR(26) NOT NULL)'
    );
    return $pdo;
}

function opbridge_spool_size(PDO $spool): int
{
    return (int) $spool->query('SELECT COUNT(*) FROM mod_opbridge_spool')->fetchColumn();
}

function opbridge_spool_add(PDO $spool, array $target, string $webhookId, string $type, string $body, string $reason): void
{
    $known = $spool->prepare('SELECT COUNT(*) FROM mod_opbridge_spool WHERE webhook_id = ?');
    $known->execute([$webhookId]);
    if ((int) $known->fetchColumn() === 0) {
        $queuedAt = (new DateTimeImmutable('now', new DateTimeZone('UTC')))->format('Y-m-d H:i:s.u');
        $spool->prepare(
            'INSERT INTO mod_opbridge_spool (webhook_id, event_type, body, attempts, last_error, queued_at)'
            . ' VALUES (?, ?, ?, 0, ?, ?)'
        )->execute([$webhookId, $type, opbridge_spool_seal($target, $body), opbridge_excerpt($reason, 255), $queuedAt]);
    }
    opbridge_log('spool', "webhook-id: {$webhookId}\ntype: {$type}", $reason, 'spooled for AfterCronJob', opbridge_masks($target));
}

/**
 * Spooled bodies are sealed (AES-256-GCM, with a key derived from the webhook secret): a
 * transfer carries its auth code, and a WHMCS database dump must not.
 */
function opbridge_spool_seal(array $target, string $body): string
{
    $key = opbridge_spool_key($target);
    if ($key === null) {
        return $body; // no secret, so nothing can be sent either; the cron resends once it is set
    }
    $nonce = random_bytes(12);
    $sealed = openssl_encrypt($body, 'aes-256-gcm', $key, OPENSSL_RAW_DATA, $nonce, $tag);
    return 'sealed:' . base64_encode($nonce . $tag . $sealed);
}

function opbridge_spool_open(array $target, string $stored): ?string
{
    if (!str_starts_with($stored, 'sealed:')) {
        return $stored;
    }
    $raw = base64_decode(substr($stored, strlen('sealed:')), true);
    $key = opbridge_spool_key($target);
    if ($raw === false || $key === null || strlen($raw) < 28) {
        return null;
    }
    $body = openssl_decrypt(substr($raw, 28), 'aes-256-gcm', $key, OPENSSL_RAW_DATA, substr($raw, 0, 12), substr($raw, 12, 16));
    return $body === false ? null : $body;
}

function opbridge_spool_key(array $target): ?string
{
    $key = opbridge_signing_key((string) ($target['secret'] ?? ''));
    return $key === null ? null : hash_hmac('sha256', 'opbridge spool', $key, true);
}

/**
 * An HTTP outcome for a log line: the status and the start of the body, or the transport error.
 */
function opbridge_http_summary(array $response): string
{
    $body = opbridge_excerpt(trim($response['body']), 2000);
    return $response['status'] === 0 ? "transport error: {$response['error']}" : "HTTP {$response['status']}: {$body}";
}

/**
 * The start of a text as printable ASCII: cutting UTF-8 at a byte count could leave half a
 * character, which a strict MySQL column refuses.
 */
function opbridge_excerpt(string $text, int $length): string
{
    return substr((string) preg_replace('/[^\x20-\x7E]/', '?', $text), 0, $length);
}

// ---------------------------------------------------------------------------------------
// The module log
// ---------------------------------------------------------------------------------------

/**
 * The strings WHMCS's log scrubber must hide for a target: the secret and its key part.
 *
 * @return list<string>
 */
function opbridge_masks(array $target): array
{
    $masks = [];
    foreach (['secret', 'token'] as $name) {
        $value = (string) ($target[$name] ?? '');
        if ($value !== '') {
            $masks[] = $value;
            if (str_starts_with($value, 'whsec_')) {
                $masks[] = substr($value, strlen('whsec_'));
            }
        }
    }
    return $masks;
}

/**
 * An event body for the log: an auth code it carries is shown as ********.
 */
function opbridge_masked_body(string $body): string
{
    return (string) preg_replace('/"(epp_code|auth_code)":"(?:[^"\\\\]|\\\\.)*"/', '"$1":"********"', $body);
}

/**
 * Module log entry (Utilities > Logs > Module Log). Secrets are never put into a message;
 * passing them to WHMCS's scrubber as well keeps them out should an error text echo one.
 *
 * @param list<string> $masks
 */
function opbridge_log(string $action, mixed $request, mixed $response, mixed $processed = '', array $masks = []): void
{
    try {
        logModuleCall('opbridge', $action, $request, $response, $processed, array_values(array_filter($masks)));
    } catch (Throwable $error) {
        error_log('opbridge: could not write the module log: ' . $error->getMessage());
    }
}
