<?php
/**
 * opbridge: the domain search (CheckAvailability, GetDomainSuggestions): the terms WHMCS
 * asks for and opbridge's checked names as WHMCS search results.
 */

declare(strict_types=1);

use WHMCS\Domains\DomainLookup\SearchResult;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
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
    $renewal = is_array($found['premium_renew_price'] ?? null) ? $found['premium_renew_price'] : $price;
    if ($status === 'free') {
        $result->setStatus(SearchResult::STATUS_NOT_REGISTERED);
    } elseif ($status === 'premium' && opbridge_orderable($found, $premiumEnabled)) {
        $result->setStatus(SearchResult::STATUS_NOT_REGISTERED);
        $result->setPremiumDomain(true);
        $result->setPremiumCostPricing([
            'register' => $price['amount'], 'renew' => $renewal['amount'], 'CurrencyCode' => $price['currency'],
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
