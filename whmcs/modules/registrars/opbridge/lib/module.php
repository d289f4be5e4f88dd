<?php
/**
 * opbridge registrar module for WHMCS: the registrar WHMCS calls where it would call the
 * Openprovider module (TLD Auto Registration, Lookup Provider, Registrar Commands, the
 * client area's nameserver, contact and EPP pages, and WHMCS's own domain sync).
 *
 * Writes never call Openprovider inside the WHMCS request. Each one posts a signed event
 * built from whitelisted $params fields (never $params whole: it holds this module's
 * decrypted settings) to the opbridge listener, with short timeouts, and answers success
 * once opbridge acknowledged it (202, or 200 for a duplicate) or it is spooled in WHMCS's
 * database for the cron to resend; opbridge's outbox then carries it out, retried and
 * replayable. A refusal (4xx) comes back as the module's error with opbridge's sentence.
 *
 *   RegisterDomain     -> domain.registration_requested -> register_domain
 *   TransferDomain     -> domain.transfer_requested     -> transfer_domain
 *   RenewDomain        -> domain.renewal_requested      -> renew_domain (one renewal of domain
 *                         N from expiry D for P years, whichever path carries it)
 *   SaveNameservers    -> domain.nameservers_changed    -> set_nameservers
 *   SaveRegistrarLock  -> domain.lock_changed           -> set_lock
 *   SaveContactDetails -> domain.contacts_changed       -> update_contacts
 *   IDProtectToggle    -> domain.id_protection_changed  -> set_id_protection
 *   RequestDelete      -> domain.delete_requested       -> delete_domain
 *   Register/Modify/DeleteNameserver -> domain.private_nameserver_changed -> set_private_nameserver
 *   SaveDNS            -> domain.dns_changed            -> save_dns (only the rows that changed)
 *   DNSSEC (client area page) -> domain.dnssec_changed  -> set_dnssec_key
 *   ResendIRTPVerificationEmail -> domain.registrant_verification_resend -> resend_registrant_verification
 *
 * Reads are answered by opbridge's admin API at once (a short timeout; a clear error when
 * opbridge cannot be reached): GetNameservers, GetRegistrarLock, GetContactDetails,
 * GetEPPCode, GetDNS, GetDomainInformation (WHMCS 7.6+), CheckAvailability, GetDomainSuggestions, Sync and TransferSync (from opbridge's mirror while it is
 * current, else live at Openprovider, with the pull-sync's status map and expiry source).
 *
 * Install: copy modules/registrars/opbridge/ to <whmcs>/modules/registrars/opbridge/ and
 * includes/hooks/opbridge.php beside it (the hook file resends the spool from the cron and
 * carries auto-renew changes, which WHMCS never asks a registrar for). WHMCS loads
 * opbridge.php, which loads this file once the PHP version is one opbridge runs on.
 */

declare(strict_types=1);

use WHMCS\Domains\DomainLookup\ResultsList;
use WHMCS\Exception\Module\InvalidConfiguration;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

// What the hook file shares with the module, then the module's own parts.
foreach (['values', 'logging', 'http', 'spool', 'delivery', 'outcome', 'settings', 'params', 'writes', 'reads', 'lookup', 'dns', 'dnssec', 'verification', 'tlds'] as $opbridgePart) {
    require_once __DIR__ . "/{$opbridgePart}.php";
}

const OPBRIDGE_DEFAULT_SUGGESTIONS = 10;
function opbridge_MetaData(): array
{
    return ['DisplayName' => 'opbridge (Openprovider through opbridge)', 'APIVersion' => '1.1'];
}

function opbridge_getConfigArray(): array
{
    return [
        'FriendlyName' => ['Type' => 'System', 'Value' => 'opbridge'],
        'ListenerURL' => [
            'FriendlyName' => 'Listener URL',
            'Type' => 'text',
            'Size' => '60',
            'Description' => 'opbridge\'s hook endpoint, such as https://opbridge.example.net/hooks/whmcs. '
                . 'Use the same URL and secret as includes/hooks/opbridge.php: its cron resends what is spooled.',
        ],
        'WebhookSecret' => [
            'FriendlyName' => 'Webhook secret',
            'Type' => 'password',
            'Size' => '60',
            'Description' => 'whsec_<base64>, one of opbridge\'s OPBRIDGE_WEBHOOK_SECRETS',
        ],
        'AdminURL' => [
            'FriendlyName' => 'Admin API URL',
            'Type' => 'text',
            'Size' => '60',
            'Description' => 'opbridge\'s base URL, such as https://opbridge.example.net (empty: the listener URL without /hooks/whmcs)',
        ],
        'AdminToken' => [
            'FriendlyName' => 'Admin API token',
            'Type' => 'password',
            'Size' => '60',
            'Description' => 'one of opbridge\'s OPBRIDGE_ADMIN_TOKENS; the reads (nameservers, contacts, EPP code, lookups, sync) use it',
        ],
        'OutcomeWait' => [
            'FriendlyName' => 'Outcome wait (seconds)',
            'Type' => 'text',
            'Size' => '4',
            'Default' => (string) OPBRIDGE_OUTCOME_WAIT,
            'Description' => 'how long a write waits for Openprovider\'s answer (0 to ' . OPBRIDGE_OUTCOME_WAIT_MAX
                . ', shared by every write of one page or cron run); a refusal then shows as the error, a later '
                . 'answer is written into WHMCS when it comes',
        ],
        'Timeout' => [
            'FriendlyName' => 'Timeout (seconds)',
            'Type' => 'text',
            'Size' => '4',
            'Default' => '5',
            'Description' => 'the longest a WHMCS page waits for opbridge (connecting takes at most 3 s of it)',
        ],
    ];
}

/**
 * Asked when the settings are saved: opbridge is ready, the token opens the admin API, and
 * the webhook secret is one opbridge accepts.
 */
function opbridge_config_validate(array $params): void
{
    $settings = opbridge_module_settings($params);
    if (opbridge_signing_key($settings['secret']) === null) {
        throw new InvalidConfiguration('The webhook secret must be whsec_ followed by base64, as in OPBRIDGE_WEBHOOK_SECRETS.');
    }
    // The hook file's cron resends (and opens) what the module spools, with its own settings.
    $shared = function_exists('opbridge_settings') ? opbridge_settings() : [];
    foreach (['url' => 'listener URL', 'secret' => 'webhook secret'] as $name => $label) {
        if (($shared[$name] ?? '') !== '' && $shared[$name] !== $settings[$name]) {
            throw new InvalidConfiguration("The {$label} differs from the hook file's (configuration.php), which "
                . 'the WHMCS cron uses to resend spooled events: use the same, or leave this one empty.');
        }
    }
    $ready = opbridge_http('GET', $settings['admin_url'] . '/readyz', [], null, $settings);
    opbridge_log('config_validate', "GET {$settings['admin_url']}/readyz", opbridge_http_summary($ready), '', opbridge_masks($settings));
    if ($ready['status'] !== 200) {
        $why = $ready['status'] === 0 ? "could not be reached ({$ready['error']})" : "answered HTTP {$ready['status']}: " . opbridge_answer_message($ready);
        throw new InvalidConfiguration("opbridge at {$settings['admin_url']} is not ready: it {$why}.");
    }
    $admin = opbridge_read($params, 'config_validate', 'commands?limit=1');
    if (isset($admin['error'])) {
        throw new InvalidConfiguration($admin['error']);
    }
    // A signed body that is not JSON: the listener checks the signature first (401), then
    // refuses the body (400), so this tells a wrong secret apart without storing anything.
    $probe = opbridge_deliver($settings, 'opbridge-config-check-' . bin2hex(random_bytes(6)), 'not json');
    if ($probe['status'] === 401) {
        throw new InvalidConfiguration('opbridge refused the webhook secret: use one of its OPBRIDGE_WEBHOOK_SECRETS.');
    }
    if ($probe['status'] === 0) {
        throw new InvalidConfiguration("The listener URL {$settings['url']} could not be reached: {$probe['detail']}.");
    }
}

// ---------------------------------------------------------------------------------------
// Writes: signed events through the listener and the spool
// ---------------------------------------------------------------------------------------

function opbridge_RegisterDomain(array $params): array
{
    return opbridge_write($params, 'RegisterDomain', 'domain.registration_requested', opbridge_order_data($params), true);
}

function opbridge_TransferDomain(array $params): array
{
    $data = opbridge_order_data($params) + ['epp_code' => (string) ($params['eppcode'] ?? '')];
    return opbridge_write($params, 'TransferDomain', 'domain.transfer_requested', $data, true);
}

/**
 * The webhook id names the renewal (domain, the expiry it starts from, years), so WHMCS
 * calling twice for one paid renewal is a duplicate at the listener; the renew handler
 * also refuses a second command with the same renewal, whichever path carried it.
 */
function opbridge_RenewDomain(array $params): array
{
    $years = max(1, min(10, (int) ($params['regperiod'] ?? 1)));
    $expiry = opbridge_expiry_param($params['expiryDate'] ?? null)
        ?? opbridge_date(opbridge_whmcs_domain($params)['expirydate'] ?? null);
    if ($expiry === null) {
        // Without the date the renewal starts from, a second carrier of the same renewal
        // could not be recognised, so nothing is paid for blind.
        $message = 'WHMCS has no expiry date for this domain, which names the renewal: press "Sync now" '
            . '(or set the expiry date) and renew again.';
        opbridge_log('RenewDomain', opbridge_domain_reference($params), $message, 'refused', opbridge_secret_masks(opbridge_module_settings($params), $params, []));
        return ['error' => $message];
    }
    $data = opbridge_domain_reference($params) + ['period_years' => $years, 'expiry_date' => $expiry]
        + opbridge_premium_cost($params);
    $webhookId = "renewal-{$data['domain_id']}-{$expiry}-{$years}y";
    return opbridge_write($params, 'RenewDomain', 'domain.renewal_requested', $data, true, $webhookId);
}

function opbridge_SaveNameservers(array $params): array
{
    $nameservers = opbridge_params_nameservers($params);
    if ($nameservers === []) {
        return ['error' => 'Give at least two nameservers.'];
    }
    $data = opbridge_domain_reference($params) + ['nameservers' => $nameservers];
    return opbridge_write($params, 'SaveNameservers', 'domain.nameservers_changed', $data, true);
}

function opbridge_SaveRegistrarLock(array $params): array
{
    $data = opbridge_domain_reference($params) + ['locked' => ($params['lockenabled'] ?? '') === 'locked'];
    return opbridge_write($params, 'SaveRegistrarLock', 'domain.lock_changed', $data, 'success');
}

function opbridge_SaveContactDetails(array $params): array
{
    $details = is_array($params['contactdetails'] ?? null) ? $params['contactdetails'] : [];
    $data = opbridge_domain_reference($params) + opbridge_contact_roles($details);
    return opbridge_write($params, 'SaveContactDetails', 'domain.contacts_changed', $data, true);
}

function opbridge_IDProtectToggle(array $params): array
{
    $data = opbridge_domain_reference($params) + ['enabled' => opbridge_flag($params['protectenable'] ?? false)];
    return opbridge_write($params, 'IDProtectToggle', 'domain.id_protection_changed', $data, 'success');
}

function opbridge_SaveDNS(array $params): array
{
    return opbridge_dns_save($params);
}

function opbridge_ResendIRTPVerificationEmail(array $params): array
{
    return opbridge_resend_verification($params);
}

function opbridge_RequestDelete(array $params): array
{
    return opbridge_write($params, 'RequestDelete', 'domain.delete_requested', opbridge_domain_reference($params), 'success');
}

function opbridge_RegisterNameserver(array $params): array
{
    return opbridge_private_nameserver($params, 'RegisterNameserver', (string) ($params['ipaddress'] ?? ''));
}

function opbridge_ModifyNameserver(array $params): array
{
    return opbridge_private_nameserver($params, 'ModifyNameserver', (string) ($params['newipaddress'] ?? ''));
}

function opbridge_DeleteNameserver(array $params): array
{
    return opbridge_private_nameserver($params, 'DeleteNameserver', null);
}

// ---------------------------------------------------------------------------------------
// Reads: answered by opbridge's admin API at once
// ---------------------------------------------------------------------------------------

function opbridge_GetNameservers(array $params): array
{
    $domain = opbridge_read($params, 'GetNameservers', 'registrar/domains/' . rawurlencode(opbridge_domain_name($params)));
    if (isset($domain['error'])) {
        return $domain;
    }
    return opbridge_ns_fields($domain);
}

function opbridge_GetDNS(array $params): array
{
    return opbridge_dns_rows($params);
}

/**
 * @return string|array 'locked' or 'unlocked', or ['error' => ...]
 */
function opbridge_GetRegistrarLock(array $params): string|array
{
    $domain = opbridge_read($params, 'GetRegistrarLock', 'registrar/domains/' . rawurlencode(opbridge_domain_name($params)));
    if (isset($domain['error'])) {
        return $domain;
    }
    return !empty($domain['locked']) ? 'locked' : 'unlocked';
}

function opbridge_GetContactDetails(array $params): array
{
    $path = 'registrar/domains/' . rawurlencode(opbridge_domain_name($params)) . '/contacts';
    $answer = opbridge_read($params, 'GetContactDetails', $path);
    if (isset($answer['error'])) {
        return $answer;
    }
    $contacts = [];
    foreach (['Registrant', 'Technical', 'Billing', 'Admin'] as $role) {
        if (is_array($answer['contacts'][$role] ?? null)) {
            $contacts[$role] = $answer['contacts'][$role];
        }
    }
    return $contacts;
}

// WHMCS 7.6 and later asks GetDomainInformation instead of GetNameservers and
// GetRegistrarLock, with one call for the whole domain page; older versions lack the class.
if (class_exists(\WHMCS\Domain\Registrar\Domain::class)) {
    /**
     * WHMCS publishes one error path for this function (developers.whmcs.com, "Domain
     * Information"): an exception, which it catches and shows. An error array would reach
     * WHMCS's Domain getters and fail there.
     */
    function opbridge_GetDomainInformation(array $params): \WHMCS\Domain\Registrar\Domain
    {
        $path = 'registrar/domains/' . rawurlencode(opbridge_domain_name($params));
        $state = opbridge_read($params, 'GetDomainInformation', $path);
        if (isset($state['error'])) {
            throw new RuntimeException((string) $state['error']);
        }
        try {
            return opbridge_registrant_verification($params, opbridge_registrar_domain($params, $state));
        } catch (Throwable $error) {
            // A WHMCS whose Domain class lacks a member used here still gets a sentence.
            throw new RuntimeException('opbridge could not describe the domain to this WHMCS: ' . $error->getMessage());
        }
    }

    function opbridge_registrar_domain(array $params, array $state): \WHMCS\Domain\Registrar\Domain
    {
        $domain = (new \WHMCS\Domain\Registrar\Domain())
            ->setDomain((string) ($state['domain'] ?? opbridge_domain_name($params)))
            ->setNameservers(opbridge_ns_fields($state))
            ->setTransferLock(!empty($state['locked']))
            ->setIdProtectionStatus(!empty($state['id_protection']));
        // The registry's status in WHMCS's published constants. A pending name has none
        // (WHMCS publishes no pending status here): WHMCS keeps its own Pending status.
        $status = [
            'Active' => \WHMCS\Domain\Registrar\Domain::STATUS_ACTIVE,
            'Expired' => \WHMCS\Domain\Registrar\Domain::STATUS_EXPIRED,
        ][(string) ($state['whmcs_status'] ?? '')] ?? null;
        if ($status !== null) {
            $domain->setRegistrationStatus($status);
        }
        $expiry = opbridge_date($state['expiry_date'] ?? null);
        if ($expiry !== null) {
            $domain->setExpiryDate(\WHMCS\Carbon::createFromFormat('!Y-m-d', $expiry));
        }
        return $domain;
    }
}

/**
 * The code is shown to whoever asked and written nowhere: the module log gets ********.
 */
function opbridge_GetEPPCode(array $params): array
{
    $path = 'domains/' . rawurlencode(opbridge_domain_name($params)) . '/authcode';
    $answer = opbridge_read($params, 'GetEPPCode', $path);
    if (isset($answer['error'])) {
        return $answer;
    }
    $code = (string) ($answer['auth_code'] ?? '');
    if ($code === '' && !empty($answer['sent_to_owner'])) {
        return ['success' => 'success'];
    }
    return $code === '' ? ['error' => 'Openprovider gave no EPP code for this domain.'] : ['eppcode' => $code];
}

/**
 * The Lookup Provider: one opbridge call for every TLD (Openprovider is asked in batches
 * of 15). A failed lookup answers ['error' => sentence], as WHMCS's sample registrar
 * module's CheckAvailability does (the developer docs publish no other error path for it).
 */
function opbridge_CheckAvailability(array $params): ResultsList|array
{
    [$sld, $tlds] = opbridge_search_terms($params);
    $results = new ResultsList();
    if ($sld === '' || $tlds === []) {
        return $results;
    }
    $query = implode('&', array_map(static fn (string $tld): string => 'domain=' . rawurlencode($sld . '.' . ltrim($tld, '.')), $tlds));
    $answer = opbridge_read($params, 'CheckAvailability', 'registrar/availability?' . $query);
    if (isset($answer['error'])) {
        return $answer;  // as WHMCS's sample module answers a failed lookup
    }
    $byName = [];
    foreach ((array) ($answer['results'] ?? []) as $result) {
        $byName[strtolower((string) ($result['domain'] ?? ''))] = $result;
    }
    foreach ($tlds as $tld) {
        $found = $byName[strtolower($sld . '.' . ltrim($tld, '.'))] ?? ['status' => 'unsupported'];
        $results->append(opbridge_search_result($sld, $tld, $found, !empty($params['premiumEnabled'])));
    }
    return $results;
}

/**
 * The setting WHMCS shows under the module's domain suggestion options; its value comes
 * back in $params['suggestionSettings'].
 */
function opbridge_DomainSuggestionOptions(): array
{
    return [
        'MaxSuggestions' => [
            'FriendlyName' => 'Maximum suggestions',
            'Type' => 'text',
            'Size' => '4',
            'Default' => (string) OPBRIDGE_DEFAULT_SUGGESTIONS,
            'Description' => 'How many names Openprovider is asked to suggest (1 to 100); only those that can be ordered are shown.',
        ],
    ];
}

/**
 * Suggestions in the domain search: Openprovider's name suggestions over the TLDs WHMCS
 * asks for, each checked by opbridge, and only the names that can be ordered returned
 * (premium ones only while WHMCS's premium domains are on). A failure answers
 * ['error' => sentence], as CheckAvailability's does.
 */
function opbridge_GetDomainSuggestions(array $params): ResultsList|array
{
    [$term, $tlds] = opbridge_search_terms($params);
    $results = new ResultsList();
    if ($term === '') {
        return $results;
    }
    $limit = (int) ($params['suggestionSettings']['MaxSuggestions'] ?? OPBRIDGE_DEFAULT_SUGGESTIONS);
    $query = 'name=' . rawurlencode($term) . '&limit=' . max(1, min($limit > 0 ? $limit : OPBRIDGE_DEFAULT_SUGGESTIONS, 100));
    foreach ($tlds as $tld) {
        $query .= '&tld=' . rawurlencode(ltrim($tld, '.'));
    }
    $answer = opbridge_read($params, 'GetDomainSuggestions', 'registrar/suggestions?' . $query);
    if (isset($answer['error'])) {
        return $answer;  // as WHMCS's sample module answers a failed lookup
    }
    foreach ((array) ($answer['results'] ?? []) as $found) {
        [$sld, $tld] = explode('.', strtolower((string) ($found['domain'] ?? '')), 2) + ['', ''];
        if ($sld !== '' && $tld !== '' && opbridge_orderable($found, !empty($params['premiumEnabled']))) {
            $results->append(opbridge_search_result($sld, '.' . $tld, $found, !empty($params['premiumEnabled'])));
        }
    }
    return $results;
}

/**
 * WHMCS's domain sync cron, for Active domains. Never a zero date: without an expiry from
 * opbridge, none is returned and WHMCS keeps its own.
 */
/**
 * Registrar TLD & Pricing Sync (Utilities): every TLD opbridge's catalogue holds.
 */
function opbridge_GetTldPricing(array $params): \WHMCS\Results\ResultsList|array
{
    return opbridge_tld_pricing($params);
}

function opbridge_Sync(array $params): array
{
    $state = opbridge_read($params, 'Sync', opbridge_sync_path($params));
    if (isset($state['error'])) {
        return $state;
    }
    // The keys WHMCS publishes (developers.whmcs.com, "Domain Synchronization"); its sample
    // module dropped "expired", and an expired name shows in its past expiry date.
    $answer = ['active' => !empty($state['active']), 'transferredAway' => !empty($state['transferred_away'])];
    $expiry = opbridge_date($state['expiry_date'] ?? null);
    if ($expiry !== null) {
        $answer['expirydate'] = $expiry;
    }
    return $answer;
}

/**
 * WHMCS's cron, for Pending Transfer domains: completed with the expiry, failed with the
 * reason, or neither while the registry works on it.
 */
function opbridge_TransferSync(array $params): array
{
    $state = opbridge_read($params, 'TransferSync', opbridge_sync_path($params));
    if (isset($state['error'])) {
        return $state;
    }
    $transfer = is_array($state['transfer'] ?? null) ? $state['transfer'] : [];
    $expiry = opbridge_date($state['expiry_date'] ?? null);
    if (!empty($transfer['completed']) && $expiry !== null) {
        return ['completed' => true, 'expirydate' => $expiry];
    }
    if (!empty($transfer['failed'])) {
        return ['failed' => true, 'reason' => (string) ($transfer['reason'] ?? 'The transfer failed at Openprovider.')];
    }
    return [];
}

// ---------------------------------------------------------------------------------------
// Admin buttons
// ---------------------------------------------------------------------------------------

function opbridge_AdminCustomButtonArray(): array
{
    return ['opbridge status' => 'OpbridgeStatus', 'Sync now' => 'SyncNow', 'DNSSEC keys' => 'DNSSECKeys'];
}

function opbridge_DNSSECKeys(array $params): array
{
    return opbridge_dnssec_summary($params);
}

/** The client area's DNSSEC page, a button on the domain's page. */
function opbridge_ClientAreaCustomButtonArray(): array
{
    return ['DNSSEC' => 'DNSSEC'];
}

function opbridge_ClientAreaAllowedFunctions(): array
{
    return ['DNSSEC' => 'DNSSEC'];
}

/** The page itself (templates/dnssec.tpl), with the posted change carried out first. */
function opbridge_DNSSEC(array $params): array
{
    return opbridge_dnssec_page($params, $_POST);
}

/**
 * The domain's recent opbridge commands and their outcome, with a link to its dashboard page.
 */
function opbridge_OpbridgeStatus(array $params): array
{
    $state = opbridge_read($params, 'OpbridgeStatus', 'domains/' . rawurlencode(opbridge_domain_name($params)));
    if (isset($state['error'])) {
        return $state;
    }
    $lines = [];
    foreach (array_slice((array) ($state['recent_commands'] ?? []), 0, 10) as $command) {
        $error = trim((string) ($command['last_error'] ?? ''));
        $lines[] = "#{$command['id']} {$command['type']}: {$command['status']}" . ($error !== '' ? " ({$error})" : '');
    }
    $dashboard = opbridge_module_settings($params)['admin_url'] . '/admin/domains/' . rawurlencode(opbridge_domain_name($params));
    $summary = ($lines === [] ? 'opbridge has no commands for this domain.' : implode('; ', $lines)) . " Dashboard: {$dashboard}";
    return ['success' => true, 'message' => $summary];
}

/**
 * Reads the domain live through opbridge and writes its expiry and status into WHMCS now,
 * with the pull-sync's map; the same dates the next sync would write.
 */
function opbridge_SyncNow(array $params): array
{
    $state = opbridge_read($params, 'SyncNow', opbridge_sync_path($params, true));
    if (isset($state['error'])) {
        return $state;
    }
    $update = ['domainid' => (int) ($params['domainid'] ?? 0)];
    $expiry = opbridge_date($state['expiry_date'] ?? null);
    if ($expiry !== null) {
        $update['expirydate'] = $expiry;
    }
    if (is_string($state['whmcs_status'] ?? null)) {
        $update['status'] = $state['whmcs_status'];
    }
    if (count($update) === 1) {
        return ['error' => "Openprovider reports {$state['status']}: nothing to write into WHMCS yet."];
    }
    try {
        $written = localAPI('UpdateClientDomain', $update);
    } catch (Throwable $error) {
        $written = ['result' => 'error', 'message' => $error->getMessage()];
    }
    opbridge_log('SyncNow', $update, $written, '', opbridge_secret_masks(opbridge_module_settings($params), $params, []));
    if (($written['result'] ?? '') !== 'success') {
        return ['error' => 'WHMCS did not take the update: ' . (string) ($written['message'] ?? 'no answer')];
    }
    return ['success' => true, 'message' => 'Synced: ' . http_build_query(array_diff_key($update, ['domainid' => 0]), '', ', ')];
}
