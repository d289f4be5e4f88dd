<?php
/**
 * opbridge: what the hook file reads of WHMCS through localAPI (orders, invoices' domains,
 * clients) and builds into the contract's DomainItem and Contact. Which registrar is ours
 * comes from the hook file's opbridge_settings().
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/** The registrar module's name: its domains' registrar actions are the module's to send. */
const OPBRIDGE_MODULE = 'opbridge';

/**
 * True when the domain is on the opbridge registrar module, which sends its registrar actions.
 */
function opbridge_on_module(array $row): bool
{
    return strcasecmp((string) ($row['registrar'] ?? ''), OPBRIDGE_MODULE) === 0;
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
    $ours = strcasecmp($registrar, opbridge_settings()['registrar']) === 0 || opbridge_on_module($row);
    return $ours ? $row : null;
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
