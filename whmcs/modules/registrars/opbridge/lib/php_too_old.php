<?php
/**
 * The registrar module on a PHP older than it needs (lib/php_version.php): the same functions
 * WHMCS looks for, each answering what is needed as its error, so WHMCS shows the sentence
 * instead of failing on code it cannot run. GetDomainInformation is left out: WHMCS then asks
 * GetNameservers and GetRegistrarLock, which answer the sentence. No custom button is offered,
 * so the custom functions are left out too. PHP 7.4's grammar only.
 */

declare(strict_types=1);

use WHMCS\Exception\Module\InvalidConfiguration;

function opbridge_php_refusal(): array
{
    return ['error' => opbridge_php_needed()];
}

function opbridge_MetaData(): array
{
    return ['DisplayName' => 'opbridge (needs PHP ' . OPBRIDGE_PHP_NEEDED . ')', 'APIVersion' => '1.1'];
}

function opbridge_getConfigArray(): array
{
    return [
        'FriendlyName' => ['Type' => 'System', 'Value' => 'opbridge'],
        'Requirement' => ['FriendlyName' => 'PHP ' . OPBRIDGE_PHP_NEEDED, 'Type' => 'text', 'Size' => '1',
            'Description' => opbridge_php_needed()],
    ];
}

function opbridge_config_validate(array $params): void
{
    throw new InvalidConfiguration(opbridge_php_needed());
}

function opbridge_RegisterDomain(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_TransferDomain(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_RenewDomain(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_SaveNameservers(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_SaveRegistrarLock(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_SaveContactDetails(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_IDProtectToggle(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_RequestDelete(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_RegisterNameserver(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_ModifyNameserver(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_DeleteNameserver(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_GetNameservers(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_GetRegistrarLock(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_GetContactDetails(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_GetEPPCode(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_CheckAvailability(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_DomainSuggestionOptions(): array
{
    return [];
}

function opbridge_GetDomainSuggestions(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_Sync(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_TransferSync(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_AdminCustomButtonArray(): array
{
    return [];
}

function opbridge_GetDNS(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_SaveDNS(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_ResendIRTPVerificationEmail(array $params): array
{
    return opbridge_php_refusal();
}

function opbridge_ClientAreaCustomButtonArray(): array
{
    return [];
}

function opbridge_ClientAreaAllowedFunctions(): array
{
    return [];
}

function opbridge_GetTldPricing(array $params): array
{
    return opbridge_php_refusal();
}
