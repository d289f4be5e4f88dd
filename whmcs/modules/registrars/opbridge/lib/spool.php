<?php
/**
 * opbridge: the spool of undelivered events in WHMCS's database (mod_opbridge_spool), sealed
 * with a key derived from the webhook secret.
 */

declare(strict_types=1);

use WHMCS\Database\Capsule;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
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
