<?php
/**
 * opbridge: GetTldPricing, WHMCS's Registrar TLD & Pricing Sync, from opbridge's TLD
 * catalogue (GET /api/v1/registrar/tld-pricing). One read, however many TLDs: opbridge
 * keeps the catalogue, so neither a PHP memory bump nor a separate cron is needed.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * The catalogue as a \WHMCS\Results\ResultsList of \WHMCS\Domain\TopLevel\ImportItem,
 * using only the setters WHMCS documents ("TLD & Pricing Sync", developers.whmcs.com);
 * ['error' => sentence] when opbridge cannot answer.
 *
 * @return \WHMCS\Results\ResultsList|array{error: string}
 */
function opbridge_tld_pricing(array $params): \WHMCS\Results\ResultsList|array
{
    $answer = opbridge_read($params, 'GetTldPricing', 'registrar/tld-pricing');
    if (isset($answer['error'])) {
        return ['error' => (string) $answer['error']];
    }
    $results = new \WHMCS\Results\ResultsList();
    foreach (is_array($answer['tlds'] ?? null) ? $answer['tlds'] : [] as $tld) {
        if (is_array($tld) && isset($tld['extension'], $tld['register_price'], $tld['currency'])) {
            $results[] = opbridge_import_item($tld);
        }
    }
    return $results;
}

function opbridge_import_item(array $tld): \WHMCS\Domain\TopLevel\ImportItem
{
    return (new \WHMCS\Domain\TopLevel\ImportItem())
        ->setExtension((string) $tld['extension'])
        ->setMinYears((int) $tld['min_years'])
        ->setMaxYears((int) $tld['max_years'])
        ->setRegisterPrice((float) $tld['register_price'])
        ->setRenewPrice(opbridge_price($tld['renew_price'] ?? null))
        ->setTransferPrice(opbridge_price($tld['transfer_price'] ?? null))
        ->setGraceFeeDays((int) $tld['grace_days'])
        ->setGraceFeePrice(opbridge_price($tld['grace_fee'] ?? null))
        ->setRedemptionFeeDays((int) $tld['redemption_days'])
        ->setRedemptionFeePrice(opbridge_price($tld['redemption_fee'] ?? null))
        ->setCurrency((string) $tld['currency'])
        ->setEppRequired((bool) $tld['epp_required']);
}

/** A decimal string as WHMCS's float, null (not offered) left null. */
function opbridge_price(mixed $value): ?float
{
    return is_numeric($value) ? (float) $value : null;
}
