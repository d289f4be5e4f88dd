<?php
/**
 * opbridge: the registrar module's $params mapped to the contract's event data (the domain,
 * the order with its contacts, the expiry a renewal starts from). Only whitelisted fields:
 * $params also holds the module's decrypted settings.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
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
    $data += opbridge_premium_cost($params);
    $language = trim((string) ($params['idnLanguage'] ?? $params['idnlanguage'] ?? ''));
    if ($language !== '') {
        $data['idn_language'] = $language;
    }
    return $data;
}

/**
 * What WHMCS charged for a premium name ($params premiumEnabled, premiumCost): opbridge
 * orders it only while Openprovider's price is the same.
 */
function opbridge_premium_cost(array $params): array
{
    $cost = $params['premiumCost'] ?? null;
    if (empty($params['premiumEnabled']) || !is_numeric($cost) || (float) $cost <= 0) {
        return [];
    }
    return ['premium_cost' => number_format((float) $cost, 2, '.', '')];
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
