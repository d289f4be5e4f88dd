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
 *   AfterRegistrarRegistration/Renewal, EmailPreSend -> no event: show the outcome the
 *                                       registrar module waited for (its lib/outcome.php)
 *   ShoppingCartValidateCheckout     -> no event: refuses a cart whose domains lack the registry
 *                                       data their TLD needs (lib/additionalfields.php)
 * Events other than the first two get a random webhook id: the same toggle may rightly
 * happen twice, so its content cannot name it.
 *
 * DomainDelete is deliberately not mapped: it fires when an admin removes the WHMCS record
 * (often bookkeeping after a transfer away), and forwarding it would delete a live domain.
 * The registrar's "Request Delete" command is the explicit request and is mapped instead.
 *
 * Only domains whose WHMCS registrar is the configured one (default "openprovider") or the
 * opbridge registrar module are sent. One carrier per action: for a domain on the opbridge
 * module, WHMCS calls the module for every registrar action (register, transfer, renew,
 * nameservers, lock, contacts, ID protection, delete) and the module sends it, so this file
 * sends only what WHMCS never asks a registrar for: DomainEdit (auto-renew and the ID
 * protection flag an admin edits) and the client's auto-renew toggle.
 * Payloads are built from localAPI reads and whitelisted fields; $vars['params'] holds the
 * registrar module's decrypted credentials and is never forwarded.
 *
 * Settings: edit opbridge_settings() below, or set $opbridge_url, $opbridge_secret and
 * $opbridge_registrar in configuration.php; OPBRIDGE_HOOK_URL, OPBRIDGE_HOOK_SECRET and
 * OPBRIDGE_WHMCS_REGISTRAR in the environment win over both.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

// Delivery, spool and parsing are shared with the registrar module, which ships them.
$opbridgeLibrary = __DIR__ . '/../../modules/registrars/opbridge/lib';
if (!is_file("{$opbridgeLibrary}/delivery.php")) {
    error_log('opbridge: upload modules/registrars/opbridge/ as well; the hook file needs its lib/');
    return;
}
// WHMCS includes this file on every page: on a PHP older than opbridge needs it registers
// nothing and says so once, and loads nothing newer than PHP 7.4 (lib/php_version.php).
require_once "{$opbridgeLibrary}/php_version.php";
if (opbridge_php_too_old()) {
    opbridge_php_notice_once();
    return;
}
foreach (['values', 'logging', 'http', 'spool', 'delivery', 'whmcs_api', 'additionalfields', 'outcome'] as $opbridgePart) {
    require_once "{$opbridgeLibrary}/{$opbridgePart}.php";
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
 * Where events go: the listener URL and secret, with the shared short timeouts.
 */
function opbridge_target(): array
{
    $settings = opbridge_settings();
    return ['url' => $settings['url'], 'secret' => $settings['secret']];
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
            opbridge_log($hook, 'hook failed', get_class($error) . ': ' . $error->getMessage(), '', opbridge_masks(opbridge_target()));
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
        'nameservers' => opbridge_params_nameservers($params),
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
// What the registrar module learned of a registration or renewal, shown once WHMCS recorded
// its success; confirmations of what Openprovider has not done yet are held back.
add_hook('AfterRegistrarRegistration', 1, opbridge_guarded('AfterRegistrarRegistration', 'opbridge_show_outcome'));
add_hook('AfterRegistrarRenewal', 1, opbridge_guarded('AfterRegistrarRenewal', 'opbridge_show_outcome'));
add_hook('EmailPreSend', 1, 'opbridge_hold_confirmation');
add_hook('ShoppingCartValidateCheckout', 1, static function ($vars): array {
    try {
        // WHMCS keeps the cart in the session; registrar modules read its domains there.
        $cart = $_SESSION['cart']['domains'] ?? [];
        return opbridge_cart_registry_errors(is_array($cart) ? $cart : []);
    } catch (Throwable $error) {
        opbridge_log('ShoppingCartValidateCheckout', 'hook failed', get_class($error) . ': ' . $error->getMessage());
        return [];
    }
});
add_hook('AfterCronJob', 1, opbridge_guarded('AfterCronJob', static fn (array $vars) => opbridge_resend_spool(opbridge_target())));

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
        if ($row !== null && !opbridge_on_module($row)) {
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
        // Every kind here is a registrar call WHMCS makes itself for a module domain.
        if ($row === null || opbridge_on_module($row)) {
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
    opbridge_emit_for_domain('domain.edited', (int) ($vars['domainid'] ?? 0), $build, true);
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
    opbridge_emit_for_domain('domain.autorenew_changed', (int) ($vars['domainid'] ?? 0), $build, true);
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
// Sending: the event data is built from localAPI reads (lib/whmcs_api.php)
// ---------------------------------------------------------------------------------------

/**
 * @param callable(array): array $build the event data beyond domain_id and domain
 * @param bool $neverModuleCalls true for changes WHMCS makes without a registrar call, which
 *                               this file carries for the opbridge module's domains too
 */
function opbridge_emit_for_domain(string $type, int $domainId, callable $build, bool $neverModuleCalls = false): void
{
    $row = opbridge_domain($domainId);
    if ($row !== null && ($neverModuleCalls || !opbridge_on_module($row))) {
        opbridge_emit($type, opbridge_domain_ref($row) + $build($row));
    }
}

function opbridge_emit(string $type, array $data, ?string $webhookId = null): void
{
    opbridge_send(opbridge_target(), $type, $data, $webhookId);
}
