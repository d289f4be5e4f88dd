<?php
/**
 * opbridge registrar module: WHMCS's DNS Management page (GetDNS, SaveDNS).
 *
 * GetDNS reads the zone live through opbridge; every row carries, in WHMCS's hidden
 * recid field, the record as it was read. SaveDNS sends every row WHMCS posts back as a
 * domain.dns_changed event: opbridge works out which rows changed and its worker writes
 * only those changes against the zone as it is then, so the records WHMCS cannot show,
 * and records changed elsewhere, are never dropped.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * @return array WHMCS's host-record rows (hostname, type, address, priority, recid), or ['error' => ...]
 */
function opbridge_dns_rows(array $params): array
{
    $answer = opbridge_read($params, 'GetDNS', 'registrar/domains/' . rawurlencode(opbridge_domain_name($params)) . '/dns');
    if (isset($answer['error'])) {
        return $answer;
    }
    $rows = [];
    foreach ((array) ($answer['records'] ?? []) as $record) {
        $rows[] = [
            'hostname' => (string) ($record['hostname'] ?? ''),
            'type' => (string) ($record['type'] ?? ''),
            'address' => (string) ($record['address'] ?? ''),
            'priority' => (string) ($record['priority'] ?? ''),
            'recid' => (string) ($record['recid'] ?? ''),
        ];
    }
    return $rows;
}

/**
 * Every row of the saved page, as WHMCS passes it in $params['dnsrecords'].
 */
function opbridge_dns_save(array $params): array
{
    $rows = [];
    foreach ((array) ($params['dnsrecords'] ?? []) as $row) {
        if (!is_array($row)) {
            continue;
        }
        $rows[] = [
            'hostname' => trim((string) ($row['hostname'] ?? '')),
            'type' => trim((string) ($row['type'] ?? '')),
            'address' => trim((string) ($row['address'] ?? '')),
            'priority' => trim((string) ($row['priority'] ?? '')),
            'recid' => trim((string) ($row['recid'] ?? '')),
        ];
    }
    $data = opbridge_domain_reference($params) + ['records' => $rows];
    return opbridge_write($params, 'SaveDNS', 'domain.dns_changed', $data, 'success');
}
