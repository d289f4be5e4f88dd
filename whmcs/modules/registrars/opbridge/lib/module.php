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
use WHMCS\Domains\DomainLookup\SearchResult;
use WHMCS\Exception\Module\InvalidConfiguration;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/opbridge.php';
require_once __DIR__ . '/dns.php';
require_once __DIR__ . '/dnssec.php';
require_once __DIR__ . '/verification.php';

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
    $data = opbridge_domain_reference($params) + ['period_years' => $years, 'expiry_date' => $expiry];
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
 * The data of a register or transfer: the DomainItem of the contract plus the contacts.
 */
function opbridge_order_data(array $params): array
{
    $row = opbridge_whmcs_domain($params);
    $additional = [];
    foreach (is_array($params['additionalfields'] ?? null) ? $params['additionalfields'] : [] as $label => $value) {
        if (is_scalar($value) && trim((string) $value) !== '') {
            $additional[(string) $label] = trim((string) $value);
        }
    }
    $data = opbridge_domain_reference($params) + [
        'period_years' => max(1, min(10, (int) ($params['regperiod'] ?? 1))),
        'nameservers' => opbridge_params_nameservers($params),
        'id_protection' => opbridge_flag($params['idprotection'] ?? false),
        'dns_management' => opbridge_flag($params['dnsmanagement'] ?? false),
        // WHMCS's Do Not Renew; a domain WHMCS cannot read back renews, as WHMCS's default does.
        'autorenew' => !opbridge_flag($row['donotrenew'] ?? false),
        'additional_fields' => (object) $additional,
        'registrant' => opbridge_params_contact($params, ''),
    ];
    if ((int) ($params['userid'] ?? 0) > 0) {
        $data['client_id'] = (int) $params['userid'];
    }
    $admin = opbridge_params_contact($params, 'admin');
    if ($admin !== []) {
        $data['admin'] = $admin;
    }
    $language = trim((string) ($params['idnLanguage'] ?? $params['idnlanguage'] ?? ''));
    if ($language !== '') {
        $data['idn_language'] = $language;
    }
    return $data;
}

/**
 * A contact from the module parameters; $prefix '' is the registrant, 'admin' the admin.
 * The untransliterated values in 'original' win: Openprovider takes UTF-8.
 */
function opbridge_params_contact(array $params, string $prefix): array
{
    $source = (is_array($params['original'] ?? null) ? $params['original'] : []) + $params;
    $fields = [];
    $keys = [
        'first_name' => 'firstname', 'last_name' => 'lastname', 'company_name' => 'companyname',
        'email' => 'email', 'address1' => 'address1', 'address2' => 'address2', 'city' => 'city',
        'state' => 'state', 'postcode' => 'postcode', 'country' => 'countrycode', 'phone' => 'fullphonenumber',
    ];
    foreach ($keys as $field => $key) {
        // The admin contact has no "admincountrycode": its country is "admincountry".
        $fields[$field] = $prefix === '' ? $key : $prefix . ($key === 'countrycode' ? 'country' : $key);
    }
    return opbridge_contact($source, $fields);
}

function opbridge_domain_reference(array $params): array
{
    return ['domain_id' => (int) ($params['domainid'] ?? 0), 'domain' => opbridge_domain_name($params)];
}

function opbridge_domain_name(array $params): string
{
    $name = trim((string) ($params['domainname'] ?? $params['domain'] ?? ''));
    return $name !== '' ? $name : trim((string) ($params['sld'] ?? '')) . '.' . ltrim(trim((string) ($params['tld'] ?? '')), '.');
}

/**
 * The domain's GetClientsDomains row (for Do Not Renew and the expiry), or [] when WHMCS
 * cannot give it.
 */
function opbridge_whmcs_domain(array $params): array
{
    try {
        $answer = localAPI('GetClientsDomains', ['domainid' => (int) ($params['domainid'] ?? 0)]);
        return is_array($answer) ? (opbridge_list($answer['domains'] ?? null, 'domain')[0] ?? []) : [];
    } catch (Throwable $error) {
        return [];
    }
}

/**
 * WHMCS 8 passes the expiry as a date object, older versions as text.
 */
function opbridge_expiry_param(mixed $value): ?string
{
    if ($value instanceof DateTimeInterface) {
        return $value->format('Y-m-d');
    }
    return opbridge_date(is_scalar($value) ? $value : null);
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

/**
 * opbridge's nameservers (host or host/ip) as WHMCS's ns1..ns5 host names.
 */
function opbridge_ns_fields(array $domain): array
{
    $fields = [];
    foreach (array_slice((array) ($domain['nameservers'] ?? []), 0, 5) as $index => $server) {
        $fields['ns' . ($index + 1)] = explode('/', (string) $server, 2)[0];
    }
    return $fields;
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
 * of 15). WHMCS's documented way to report a failed lookup is an exception, which its
 * domain checker catches and shows; it is the one place this module throws.
 */
/**
 * @return ResultsList|array the results, or ['error' => ...] as WHMCS's sample module answers
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
        return $answer;
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
 * (premium ones only while WHMCS's premium domains are on). Failures are thrown, as
 * CheckAvailability's are, for WHMCS's domain checker to show.
 */
/**
 * @return ResultsList|array the suggestions, or ['error' => ...] as WHMCS's sample module answers
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
        return $answer;
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
 * The label WHMCS searched for (its punycode for an IDN) and the TLDs to search in.
 *
 * @return array{0: string, 1: list<string>}
 */
function opbridge_search_terms(array $params): array
{
    $sld = !empty($params['isIdnDomain']) && !empty($params['punyCodeSearchTerm'])
        ? (string) $params['punyCodeSearchTerm'] : (string) ($params['searchTerm'] ?? '');
    return [$sld, array_values(array_filter(array_map('strval', (array) ($params['tldsToInclude'] ?? []))))];
}

/** Whether a checked name can be ordered: free, or premium with a price while WHMCS sells premium names. */
function opbridge_orderable(array $found, bool $premiumEnabled): bool
{
    $status = (string) ($found['status'] ?? '');
    return $status === 'free' || ($status === 'premium' && $premiumEnabled && is_array($found['premium_price'] ?? null));
}

function opbridge_search_result(string $sld, string $tld, array $found, bool $premiumEnabled): SearchResult
{
    $result = new SearchResult($sld, $tld);
    $status = (string) ($found['status'] ?? '');
    $price = is_array($found['premium_price'] ?? null) ? $found['premium_price'] : null;
    if ($status === 'free') {
        $result->setStatus(SearchResult::STATUS_NOT_REGISTERED);
    } elseif ($status === 'premium' && opbridge_orderable($found, $premiumEnabled)) {
        $result->setStatus(SearchResult::STATUS_NOT_REGISTERED);
        $result->setPremiumDomain(true);
        $result->setPremiumCostPricing([
            'register' => $price['amount'], 'renew' => $price['amount'], 'CurrencyCode' => $price['currency'],
        ]);
    } elseif ($status === 'premium') {
        // Premium names are not sold while WHMCS's premium domains are off.
        $result->setStatus(SearchResult::STATUS_RESERVED);
    } elseif ($status === 'active') {
        $result->setStatus(SearchResult::STATUS_REGISTERED);
    } else {
        $result->setStatus(SearchResult::STATUS_TLD_NOT_SUPPORTED);
    }
    return $result;
}

/**
 * WHMCS's domain sync cron, for Active domains. Never a zero date: without an expiry from
 * opbridge, none is returned and WHMCS keeps its own.
 */
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

function opbridge_sync_path(array $params, bool $live = false): string
{
    return 'registrar/domains/' . rawurlencode(opbridge_domain_name($params)) . '/sync' . ($live ? '?live=1' : '');
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

// ---------------------------------------------------------------------------------------
// Talking to opbridge
// ---------------------------------------------------------------------------------------

/**
 * The module's settings, each falling back to the hook file's (environment or
 * configuration.php) when left empty here.
 *
 * @return array{url: string, secret: string, admin_url: string, token: string, connect_timeout: int, timeout: int}
 */
function opbridge_module_settings(array $params): array
{
    $shared = function_exists('opbridge_settings') ? opbridge_settings() : ['url' => '', 'secret' => ''];
    $url = trim((string) ($params['ListenerURL'] ?? '')) ?: $shared['url'];
    $adminUrl = rtrim(trim((string) ($params['AdminURL'] ?? '')), '/');
    if ($adminUrl === '') {
        $adminUrl = (string) preg_replace('#/hooks/whmcs/?$#', '', $url);
    }
    $timeout = (int) ($params['Timeout'] ?? 0);
    return [
        'url' => $url,
        'secret' => trim((string) ($params['WebhookSecret'] ?? '')) ?: $shared['secret'],
        'admin_url' => $adminUrl,
        'token' => trim((string) ($params['AdminToken'] ?? '')),
        'connect_timeout' => min(OPBRIDGE_CONNECT_TIMEOUT, $timeout > 0 ? $timeout : OPBRIDGE_TIMEOUT),
        'timeout' => $timeout > 0 ? min($timeout, 30) : OPBRIDGE_TIMEOUT,
    ];
}

/**
 * GET one admin API path. Returns the decoded answer, or ['error' => sentence] for an
 * unreachable opbridge, a refusal or anything that is not JSON; never throws.
 */
function opbridge_read(array $params, string $action, string $path): array
{
    $settings = opbridge_module_settings($params);
    $masks = opbridge_secret_masks($settings, $params, []);
    try {
        if ($settings['admin_url'] === '' || $settings['token'] === '') {
            $answer = ['error' => 'The opbridge module has no admin API URL or token: set them under Domain Registrars.'];
            opbridge_log($action, "GET /api/v1/{$path}", $answer['error'], '', $masks);
            return $answer;
        }
        $url = "{$settings['admin_url']}/api/v1/{$path}";
        $response = opbridge_http('GET', $url, ['Accept: application/json', "Authorization: Bearer {$settings['token']}"], null, $settings);
        $decoded = json_decode($response['body'], true);
        $answer = match (true) {
            $response['status'] === 0 => ['error' => "opbridge did not answer within {$settings['timeout']} s ({$response['error']}); try again shortly."],
            $response['status'] === 200 && is_array($decoded) => $decoded,
            default => ['error' => 'opbridge: ' . opbridge_answer_message($response)],
        };
        opbridge_log($action, "GET {$url}", opbridge_masked($answer), isset($answer['error']) ? 'failed' : 'answered', $masks);
        return $answer;
    } catch (Throwable $error) {
        $answer = ['error' => 'opbridge could not be asked: ' . $error->getMessage()];
        opbridge_log($action, "GET /api/v1/{$path}", $answer['error'], 'failed', $masks);
        return $answer;
    }
}

function opbridge_answer_message(array $response): string
{
    $decoded = json_decode($response['body'], true);
    if (is_array($decoded) && isset($decoded['message'])) {
        return (string) $decoded['message'];
    }
    return "HTTP {$response['status']}";
}

/**
 * A copy of a request or answer for the module log, with auth codes replaced by ********.
 */
function opbridge_masked(array $values): array
{
    foreach ($values as $key => $value) {
        if (in_array((string) $key, ['epp_code', 'auth_code', 'eppcode'], true) && (string) $value !== '') {
            $values[$key] = '********';
        } elseif (is_array($value)) {
            $values[$key] = opbridge_masked($value);
        }
    }
    return $values;
}

/**
 * What WHMCS's log scrubber hides on top: the secret, the token and any auth code.
 *
 * @return list<string>
 */
function opbridge_secret_masks(array $settings, array $params, array $data): array
{
    $masks = opbridge_masks($settings);
    foreach ([(string) ($params['eppcode'] ?? ''), (string) ($data['epp_code'] ?? '')] as $code) {
        if ($code !== '') {
            $masks[] = $code;
        }
    }
    return $masks;
}
