<?php
/**
 * opbridge: forwards WHMCS billing and domain events to the opbridge listener
 * (POST /hooks/whmcs, Standard Webhooks signature), which carries them out at Openprovider.
 *
 * Hook point                        -> event type (webhook id)
 *   AcceptOrder                      -> order.accepted (order-<id>-accepted)
 *   InvoicePaid                      -> invoice.paid (invoice-<id>-paid); items DomainRegister,
 *                                       DomainTransfer, Domain (renewal), DomainAddonIDP
 *   DomainEdit                       -> domain.edited (carries autorenew and ID protection)
 *   ClientAreaPageDomainDetails      -> domain.autorenew_changed, when changeAutoRenewStatusSuccessful
 *   ClientAreaPageDomainAddons       -> domain.id_protection_changed, when ID protection was disabled
 *   AfterRegistrarIDProtectToggle    -> domain.id_protection_changed
 *   AfterRegistrarSaveNameservers    -> domain.nameservers_changed
 *   AfterRegistrarSaveRegistrarLock  -> domain.lock_changed
 *   AfterRegistrarSaveContactDetails -> domain.contacts_changed
 *   AfterRegistrarRequestDelete      -> domain.delete_requested
 *   AfterCronJob                     -> resends spooled events with their original webhook id
 * Events other than the first two get a random webhook id: the same toggle may rightly
 * happen twice, so its content cannot name it.
 *
 * DomainDelete is deliberately not mapped: it fires when an admin removes the WHMCS record
 * (often bookkeeping after a transfer away), and forwarding it would delete a live domain.
 * The registrar's "Request Delete" command is the explicit request and is mapped instead.
 *
 * Only domains whose WHMCS registrar is the configured one (default "openprovider") are sent.
 * Payloads are built from localAPI reads and whitelisted fields; $vars['params'] holds the
 * registrar module's decrypted credentials and is never forwarded.
 *
 * Settings: edit opbridge_settings() below, or set $opbridge_url, $opbridge_secret and
 * $opbridge_registrar in configuration.php; OPBRIDGE_HOOK_URL, OPBRIDGE_HOOK_SECRET and
 * OPBRIDGE_WHMCS_REGISTRAR in the environment win over both.
 */

declare(strict_types=1);

use WHMCS\Config\Setting;
use WHMCS\Database\Capsule;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * @return array{url: string, secret: string, registrar: string}
 */
function opbridge_settings(): array
{
    static $settings = null;
    if ($settings === null) {
        $inThisFile = [
            'url' => '',                 // e.g. https://opbridge.example.net/hooks/whmcs
            'secret' => '',              // whsec_<base64>, one of the listener's OPBRIDGE_WEBHOOK_SECRETS
            'registrar' => 'openprovider',
        ];
        $fromEnvironment = [
            'url' => (string) getenv('OPBRIDGE_HOOK_URL'),
            'secret' => (string) getenv('OPBRIDGE_HOOK_SECRET'),
            'registrar' => (string) getenv('OPBRIDGE_WHMCS_REGISTRAR'),
        ];
        $fromConfiguration = opbridge_configuration_values();
        $settings = [];
        foreach ($inThisFile as $name => $default) {
            $chosen = $fromEnvironment[$name] !== '' ? $fromEnvironment[$name] : ($fromConfiguration[$name] ?? '');
            $settings[$name] = trim($chosen !== '' ? $chosen : $default);
        }
    }
    return $settings;
}

/**
 * The opbridge variables of configuration.php, read in a closed scope so that the
 * database password and the rest of that file stay out of reach.
 *
 * @return array<string, string>
 */
function opbridge_configuration_values(): array
{
    $path = ROOTDIR . '/configuration.php';
    if (!is_file($path)) {
        return [];
    }
    return (static function (string $file): array {
        include $file;
        return [
            'url' => (string) ($opbridge_url ?? ''),
            'secret' => (string) ($opbridge_secret ?? ''),
            'registrar' => (string) ($opbridge_registrar ?? ''),
        ];
    })($path);
}

// ---------------------------------------------------------------------------------------
// Hook registration. Every handler runs inside opbridge_guarded(): WHMCS calls hooks with
// no exception handling of its own, so an error here must never break a payment or a page.
// ---------------------------------------------------------------------------------------

/**
 * @param callable(array): void $handler
 */
function opbridge_guarded(string $hook, callable $handler): Closure
{
    return static function ($vars) use ($hook, $handler): void {
        try {
            $handler(is_array($vars) ? $vars : []);
        } catch (Throwable $error) {
            opbridge_log($hook, 'hook failed', get_class($error) . ': ' . $error->getMessage());
        }
    };
}

add_hook('AcceptOrder', 1, opbridge_guarded('AcceptOrder', 'opbridge_on_accept_order'));
add_hook('InvoicePaid', 1, opbridge_guarded('InvoicePaid', 'opbridge_on_invoice_paid'));
add_hook('DomainEdit', 1, opbridge_guarded('DomainEdit', 'opbridge_on_domain_edit'));
add_hook('ClientAreaPageDomainDetails', 1, opbridge_guarded(
    'ClientAreaPageDomainDetails',
    'opbridge_on_domain_details_page'
));
add_hook('ClientAreaPageDomainAddons', 1, opbridge_guarded(
    'ClientAreaPageDomainAddons',
    'opbridge_on_domain_addons_page'
));
add_hook('AfterRegistrarIDProtectToggle', 1, opbridge_guarded(
    'AfterRegistrarIDProtectToggle',
    opbridge_registrar_handler('domain.id_protection_changed', static fn (array $params): array => [
        'enabled' => opbridge_flag($params['protectenable'] ?? false),
    ])
));
add_hook('AfterRegistrarSaveNameservers', 1, opbridge_guarded(
    'AfterRegistrarSaveNameservers',
    opbridge_registrar_handler('domain.nameservers_changed', static fn (array $params): array => [
        'nameservers' => opbridge_nameservers(array_map(
            static fn (int $n) => $params["ns{$n}"] ?? '',
            range(1, 5)
        )),
    ])
));
add_hook('AfterRegistrarSaveRegistrarLock', 1, opbridge_guarded(
    'AfterRegistrarSaveRegistrarLock',
    opbridge_registrar_handler('domain.lock_changed', static fn (array $params): array => [
        'locked' => ($params['lockenabled'] ?? '') === 'locked',
    ])
));
add_hook('AfterRegistrarSaveContactDetails', 1, opbridge_guarded(
    'AfterRegistrarSaveContactDetails',
    opbridge_registrar_handler('domain.contacts_changed', static fn (array $params): array =>
        opbridge_contact_roles(is_array($params['contactdetails'] ?? null) ? $params['contactdetails'] : []))
));
add_hook('AfterRegistrarRequestDelete', 1, opbridge_guarded(
    'AfterRegistrarRequestDelete',
    opbridge_registrar_handler('domain.delete_requested', static fn (array $params): array => [])
));
add_hook('AfterCronJob', 1, opbridge_guarded('AfterCronJob', static fn (array $vars) => opbridge_resend_spool()));

// ---------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------

function opbridge_on_accept_order(array $vars): void
{
    $orderId = (int) ($vars['orderid'] ?? 0);
    $order = opbridge_order($orderId);
    $domains = [];
    foreach (opbridge_list($order['lineitems'] ?? null, 'lineitem') as $line) {
        $action = strtolower((string) ($line['product'] ?? ''));
        if (($line['type'] ?? '') !== 'domain' || !in_array($action, ['register', 'transfer'], true)) {
            continue;
        }
        $row = opbridge_domain((int) ($line['relid'] ?? 0));
        if ($row !== null) {
            $domains[] = opbridge_domain_item($row, $order) + ['action' => $action];
        }
    }
    if ($domains === []) {
        return;
    }
    $clientId = (int) $order['userid'];
    opbridge_emit('order.accepted', [
        'order_id' => $orderId,
        'client_id' => $clientId,
        'registrant' => opbridge_client_contact($clientId),
        'domains' => $domains,
    ], "order-{$orderId}-accepted");
}

function opbridge_on_invoice_paid(array $vars): void
{
    $invoiceId = (int) ($vars['invoiceid'] ?? 0);
    $invoice = opbridge_api('GetInvoice', ['invoiceid' => $invoiceId]);
    $kinds = [
        'DomainRegister' => 'register',
        'DomainTransfer' => 'transfer',
        'Domain' => 'renew',
        'DomainAddonIDP' => 'id_protection',
    ];
    $items = [];
    foreach (opbridge_list($invoice['items'] ?? null, 'item') as $line) {
        $kind = $kinds[(string) ($line['type'] ?? '')] ?? null;
        $row = $kind === null ? null : opbridge_domain((int) ($line['relid'] ?? 0));
        if ($row === null) {
            continue;
        }
        // Only a new registration or transfer needs the nameservers the customer ordered with.
        $needsOrder = in_array($kind, ['register', 'transfer'], true) && (int) $row['orderid'] > 0;
        $order = $needsOrder ? opbridge_order((int) $row['orderid']) : [];
        // The item id lets the listener tell one paid item from another across redeliveries.
        $items[] = opbridge_domain_item($row, $order) + ['kind' => $kind, 'item_id' => (int) $line['id']];
    }
    if ($items === []) {
        return;
    }
    $clientId = (int) $invoice['userid'];
    opbridge_emit('invoice.paid', [
        'invoice_id' => $invoiceId,
        'client_id' => $clientId,
        'registrant' => opbridge_client_contact($clientId),
        'items' => $items,
    ], "invoice-{$invoiceId}-paid");
}

/**
 * WHMCS has already written the admin's changes when DomainEdit fires, so the row is read
 * back. (The client-summary mass update fires it before writing; the pull-sync corrects that.)
 */
function opbridge_on_domain_edit(array $vars): void
{
    $build = static fn (array $row): array => array_filter([
        'autorenew' => !opbridge_flag($row['donotrenew'] ?? ''),
        'id_protection' => opbridge_flag($row['idprotection'] ?? ''),
        'status' => (string) ($row['status'] ?? '') ?: null,
        'expiry_date' => opbridge_date($row['expirydate'] ?? null),
        'next_due_date' => opbridge_date($row['nextduedate'] ?? null),
    ], static fn ($value): bool => $value !== null);
    opbridge_emit_for_domain('domain.edited', (int) ($vars['domainid'] ?? 0), $build);
}

/**
 * WHMCS has no auto-renew hook; the client's toggle only shows up as a flag on the page
 * rendered by the same request. The stored value is read back rather than trusting the page.
 */
function opbridge_on_domain_details_page(array $vars): void
{
    if (($vars['changeAutoRenewStatusSuccessful'] ?? false) !== true) {
        return;
    }
    $build = static fn (array $row): array => ['autorenew' => !opbridge_flag($row['donotrenew'] ?? '')];
    opbridge_emit_for_domain('domain.autorenew_changed', (int) ($vars['domainid'] ?? 0), $build);
}

/**
 * Disabling ID protection from the client area changes the database first and calls the
 * registrar only if a module is set, so this page hook is the one that always fires. Buying
 * it arrives later as a paid DomainAddonIDP invoice item instead.
 */
function opbridge_on_domain_addons_page(array $vars): void
{
    $disabled = ($vars['addon'] ?? '') === 'idprotect' && ($vars['action'] ?? '') === 'disable';
    if (!$disabled || empty($vars['success'])) {
        return;
    }
    $build = static fn (array $row): array => ['enabled' => opbridge_flag($row['idprotection'] ?? '')];
    opbridge_emit_for_domain('domain.id_protection_changed', (int) ($vars['domainid'] ?? 0), $build);
}

/**
 * A handler for an AfterRegistrar<Function> hook. $extract picks the few whitelisted fields
 * of the module parameters the event needs; nothing else of them leaves this file.
 *
 * @param callable(array): array $extract
 */
function opbridge_registrar_handler(string $type, callable $extract): Closure
{
    return static function (array $vars) use ($type, $extract): void {
        // A module that ran and failed told the user so; one without the function leaves
        // opbridge as the only way the change reaches the registrar.
        if (($vars['functionExists'] ?? true) && empty($vars['functionSuccessful'])) {
            return;
        }
        $params = is_array($vars['params'] ?? null) ? $vars['params'] : [];
        $data = $extract($params);
        opbridge_emit_for_domain($type, (int) ($params['domainid'] ?? 0), static fn (array $row): array => $data);
    };
}

// ---------------------------------------------------------------------------------------
// Payload building from localAPI reads
// ---------------------------------------------------------------------------------------

/**
 * @param callable(array): array $build the event data beyond domain_id and domain
 */
function opbridge_emit_for_domain(string $type, int $domainId, callable $build): void
{
    $row = opbridge_domain($domainId);
    if ($row !== null) {
        opbridge_emit($type, opbridge_domain_ref($row) + $build($row));
    }
}

function opbridge_api(string $action, array $params): array
{
    $answer = localAPI($action, $params);
    if (!is_array($answer) || ($answer['result'] ?? '') !== 'success') {
        $message = is_array($answer) ? (string) ($answer['message'] ?? 'no message') : 'no answer';
        throw new RuntimeException("{$action} failed: {$message}");
    }
    return $answer;
}

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

function opbridge_order(int $orderId): array
{
    $order = opbridge_list(opbridge_api('GetOrders', ['id' => $orderId])['orders'] ?? null, 'order')[0] ?? null;
    if ($order === null) {
        throw new RuntimeException("order {$orderId} not found");
    }
    return $order;
}

/**
 * The domain's GetClientsDomains row, or null when another registrar handles it or it is
 * gone (a deleted domain must not cost the other items of an invoice their event).
 */
function opbridge_domain(int $domainId): ?array
{
    $answer = opbridge_api('GetClientsDomains', ['domainid' => $domainId]);
    $row = opbridge_list($answer['domains'] ?? null, 'domain')[0] ?? null;
    if ($row === null) {
        opbridge_log('lookup', "domainid: {$domainId}", 'domain not found; left out');
        return null;
    }
    $registrar = (string) ($row['registrar'] ?? '');
    return strcasecmp($registrar, opbridge_settings()['registrar']) === 0 ? $row : null;
}

function opbridge_domain_ref(array $row): array
{
    return ['domain_id' => (int) $row['id'], 'domain' => (string) $row['domainname']];
}

/**
 * A DomainItem of the contract. $order supplies the nameservers chosen at checkout.
 */
function opbridge_domain_item(array $row, array $order): array
{
    $item = opbridge_domain_ref($row) + [
        'period_years' => max(1, min(10, (int) ($row['regperiod'] ?? 1))),
        'nameservers' => opbridge_nameservers(explode(',', (string) ($order['nameservers'] ?? ''))),
        'id_protection' => opbridge_flag($row['idprotection'] ?? ''),
        'dns_management' => opbridge_flag($row['dnsmanagement'] ?? ''),
        'autorenew' => !opbridge_flag($row['donotrenew'] ?? ''),
    ];
    $expiry = opbridge_date($row['expirydate'] ?? null);
    if ($expiry !== null) {
        $item['expiry_date'] = $expiry;
    }
    return $item;
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

function opbridge_client_contact(int $clientId): array
{
    return opbridge_contact(opbridge_api('GetClientsDetails', ['clientid' => $clientId]), [
        'first_name' => 'firstname',
        'last_name' => 'lastname',
        'company_name' => 'companyname',
        'email' => 'email',
        'address1' => 'address1',
        'address2' => 'address2',
        'city' => 'city',
        'state' => 'state',
        'postcode' => 'postcode',
        'country' => 'countrycode',
        'phone' => 'phonenumberformatted',
    ]);
}

/**
 * The roles of a registrar module's contactdetails form, keyed by the labels WHMCS uses.
 */
function opbridge_contact_roles(array $details): array
{
    $labels = [
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
    $roles = [];
    $roleNames = ['Registrant' => 'registrant', 'Admin' => 'admin', 'Technical' => 'tech', 'Billing' => 'billing'];
    foreach ($roleNames as $label => $role) {
        $contact = opbridge_contact(is_array($details[$label] ?? null) ? $details[$label] : [], $labels);
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
 */
function opbridge_emit(string $type, array $data, ?string $webhookId = null): void
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
        opbridge_spool_add($spool, $webhookId, $type, $body, 'queued behind earlier undelivered events');
        return;
    }
    $delivery = opbridge_deliver($webhookId, $body);
    if ($delivery['outcome'] === 'retry') {
        opbridge_spool_add($spool, $webhookId, $type, $body, $delivery['detail']);
    }
}

/**
 * Called from AfterCronJob. Oldest first, and stops at the first event the listener cannot
 * take yet, so the order of events is kept and an unreachable listener costs one timeout.
 */
function opbridge_resend_spool(): void
{
    $spool = opbridge_spool();
    $rows = $spool->query(
        'SELECT webhook_id, body FROM mod_opbridge_spool ORDER BY queued_at, webhook_id LIMIT 200'
    )->fetchAll(PDO::FETCH_ASSOC);
    foreach ($rows as $row) {
        $delivery = opbridge_deliver((string) $row['webhook_id'], (string) $row['body']);
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
 * @return array{outcome: 'delivered'|'rejected'|'retry', detail: string}
 */
function opbridge_deliver(string $webhookId, string $body): array
{
    $settings = opbridge_settings();
    $key = opbridge_signing_key($settings['secret']);
    if ($settings['url'] === '' || $key === null) {
        $detail = 'opbridge URL or secret (whsec_<base64>) is not configured';
        opbridge_log('deliver', "webhook-id: {$webhookId}", $detail);
        return ['outcome' => 'retry', 'detail' => $detail];
    }
    $timestamp = time();
    $signature = base64_encode(hash_hmac('sha256', "{$webhookId}.{$timestamp}.{$body}", $key, true));
    $response = opbridge_post($settings['url'], [
        'Content-Type: application/json',
        "webhook-id: {$webhookId}",
        "webhook-timestamp: {$timestamp}",
        "webhook-signature: v1,{$signature}",
    ], $body);

    $status = $response['status'];
    $outcome = match (true) {
        $status >= 200 && $status < 300 => 'delivered',
        // The listener judged the event itself; sending the same bytes again cannot help.
        in_array($status, [400, 413, 415, 422], true) => 'rejected',
        // Anything else (no answer, 401 until the secret is fixed, 503, ...) may pass later.
        default => 'retry',
    };
    $detail = $status > 0 ? "HTTP {$status}: {$response['body']}" : "transport error: {$response['error']}";
    opbridge_log(
        'deliver',
        "POST {$settings['url']}\nwebhook-id: {$webhookId}\nwebhook-timestamp: {$timestamp}\n\n{$body}",
        $detail,
        $outcome
    );
    return ['outcome' => $outcome, 'detail' => $detail];
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
 * @param list<string> $headers
 * @return array{status: int, body: string, error: string}
 */
function opbridge_post(string $url, array $headers, string $body): array
{
    $curl = curl_init($url);
    if ($curl === false) {
        return ['status' => 0, 'body' => '', 'error' => 'curl could not start'];
    }
    curl_setopt_array($curl, [
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => $body,
        // An empty Expect stops curl from waiting for "100 Continue" on larger bodies.
        CURLOPT_HTTPHEADER => array_merge($headers, ['Expect:']),
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CONNECTTIMEOUT => 3,
        CURLOPT_TIMEOUT => 5,
        CURLOPT_SSL_VERIFYPEER => true,
        CURLOPT_SSL_VERIFYHOST => 2,
        CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
    ]);
    $answer = curl_exec($curl);
    return [
        'status' => $answer === false ? 0 : (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE),
        'body' => $answer === false ? '' : opbridge_excerpt((string) $answer, 2000),
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

function opbridge_spool_add(PDO $spool, string $webhookId, string $type, string $body, string $reason): void
{
    $known = $spool->prepare('SELECT COUNT(*) FROM mod_opbridge_spool WHERE webhook_id = ?');
    $known->execute([$webhookId]);
    if ((int) $known->fetchColumn() === 0) {
        $queuedAt = (new DateTimeImmutable('now', new DateTimeZone('UTC')))->format('Y-m-d H:i:s.u');
        $spool->prepare(
            'INSERT INTO mod_opbridge_spool (webhook_id, event_type, body, attempts, last_error, queued_at)'
            . ' VALUES (?, ?, ?, 0, ?, ?)'
        )->execute([$webhookId, $type, $body, opbridge_excerpt($reason, 255), $queuedAt]);
    }
    opbridge_log('spool', "webhook-id: {$webhookId}\ntype: {$type}", $reason, 'spooled for AfterCronJob');
}

/**
 * The start of a text as printable ASCII: cutting UTF-8 at a byte count could leave half a
 * character, which a strict MySQL column refuses.
 */
function opbridge_excerpt(string $text, int $length): string
{
    return substr((string) preg_replace('/[^\x20-\x7E]/', '?', $text), 0, $length);
}

/**
 * Module log entry (Utilities > Logs > Module Log). The secret is never put into a message;
 * passing it to WHMCS's scrubber as well keeps it out should an error text ever echo it.
 */
function opbridge_log(string $action, string $request, string $response, string $processed = ''): void
{
    try {
        $secret = opbridge_settings()['secret'];
        $scrub = $secret === '' ? [] : [$secret, substr($secret, strlen('whsec_'))];
        logModuleCall('opbridge', $action, $request, $response, $processed, $scrub);
    } catch (Throwable $error) {
        error_log('opbridge: could not write the module log: ' . $error->getMessage());
    }
}
