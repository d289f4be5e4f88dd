<?php
/**
 * opbridge registrar module: the DNSSEC page of the client area (a custom function with
 * a template, offered through ClientAreaCustomButtonArray) and the admin's key list.
 *
 * The page lists the domain's keys and the TLD's limits, read live through opbridge. Its
 * form posts Openprovider's own names for a key (flags, alg, protocol, pub_key) and an
 * action (add or remove); opbridge says first whether the TLD takes the change (one
 * sentence per limit), then the change goes through the outbox as a
 * domain.dnssec_changed event. Nothing here calls Openprovider directly.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

const OPBRIDGE_DNSSEC_TEMPLATE = 'templates/dnssec';

/**
 * The page WHMCS renders from templates/dnssec.tpl, after carrying out the posted
 * change, if any.
 *
 * @param array $form the posted form ($_POST): action, flags, alg, protocol, pub_key
 */
function opbridge_dnssec_page(array $params, array $form): array
{
    $domain = opbridge_domain_name($params);
    $path = 'registrar/domains/' . rawurlencode($domain) . '/dnssec';
    $vars = [
        'domain' => $domain,
        'domainid' => (int) ($params['domainid'] ?? 0),
        'keys' => [],
        'enabled' => false,
        'tld' => ['allowed' => false, 'algorithms' => [], 'max_keys' => 0],
        'refusals' => [],
        'message' => '',
        'error' => '',
    ];
    $action = (string) ($form['action'] ?? '');
    if (in_array($action, ['add', 'remove'], true)) {
        $vars = opbridge_dnssec_change($params, $path, $action, $form) + $vars;
    }
    $state = opbridge_read($params, 'DNSSEC', $path);
    if (isset($state['error'])) {
        $vars['error'] = $vars['error'] !== '' ? $vars['error'] : $state['error'];
    } else {
        $vars['keys'] = array_values(array_filter((array) ($state['keys'] ?? []), 'is_array'));
        $vars['enabled'] = !empty($state['enabled']);
        $vars['tld'] = (array) ($state['tld'] ?? []) + $vars['tld'];
    }
    return [
        'templatefile' => OPBRIDGE_DNSSEC_TEMPLATE,
        'breadcrumb' => ['clientarea.php?action=domaindetails&id=' . $vars['domainid'] . '&modop=custom&a=DNSSEC' => 'DNSSEC'],
        'vars' => $vars,
    ];
}

/**
 * Asks opbridge whether the TLD takes the change, then sends it.
 *
 * @return array{refusals?: list<string>, message?: string, error?: string}
 */
function opbridge_dnssec_change(array $params, string $path, string $action, array $form): array
{
    $key = [
        'action' => $action,
        'flags' => trim((string) ($form['flags'] ?? '')),
        'alg' => trim((string) ($form['alg'] ?? '')),
        'protocol' => trim((string) ($form['protocol'] ?? '3')),
        'pub_key' => trim((string) ($form['pub_key'] ?? '')),
    ];
    $check = opbridge_read($params, 'DNSSEC', $path . '?' . http_build_query($key));
    if (isset($check['error'])) {
        return ['error' => $check['error']];
    }
    $refusals = array_values(array_map('strval', (array) ($check['refusals'] ?? [])));
    if ($refusals !== []) {
        return ['refusals' => $refusals];
    }
    $data = opbridge_domain_reference($params) + [
        'action' => $action, 'flags' => (int) $key['flags'], 'alg' => (int) $key['alg'],
        'protocol' => (int) $key['protocol'], 'pub_key' => $key['pub_key'],
    ];
    $sent = opbridge_write($params, 'DNSSEC', 'domain.dnssec_changed', $data, 'success');
    if (isset($sent['error'])) {
        return ['error' => $sent['error']];
    }
    return ['message' => $action === 'add'
        ? 'The key is being added; it is listed here once Openprovider has it.'
        : 'The key is being removed; it leaves this list once Openprovider has removed it.'];
}

/**
 * The admin's button: the domain's keys in one sentence.
 */
function opbridge_dnssec_summary(array $params): array
{
    $domain = opbridge_domain_name($params);
    $state = opbridge_read($params, 'DNSSECKeys', 'registrar/domains/' . rawurlencode($domain) . '/dnssec');
    if (isset($state['error'])) {
        return $state;
    }
    $keys = [];
    foreach ((array) ($state['keys'] ?? []) as $key) {
        $keys[] = 'flags ' . (int) ($key['flags'] ?? 0) . ', algorithm ' . (int) ($key['alg'] ?? 0)
            . ', key ' . substr((string) ($key['pub_key'] ?? ''), 0, 16) . '…';
    }
    $tld = (array) ($state['tld'] ?? []);
    $limits = empty($tld['allowed']) ? 'the registry takes no DNSSEC keys'
        : 'the registry takes algorithms ' . implode(', ', (array) ($tld['algorithms'] ?? [])) . ', at most ' . (int) ($tld['max_keys'] ?? 0) . ' keys';
    $listed = $keys === [] ? 'no DNSSEC keys' : count($keys) . ' DNSSEC key(s): ' . implode('; ', $keys);
    return ['success' => true, 'message' => "{$domain} has {$listed} ({$limits})."];
}
