<?php
/**
 * opbridge: WHMCS values as the module and the hook file receive them (lists, nameservers,
 * contacts, flags, dates), parsed into the contract's shapes.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
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
