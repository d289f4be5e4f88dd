<?php
/**
 * opbridge registrar module: ICANN's registrant e-mail verification on WHMCS's domain page
 * (GetDomainInformation's IRTP fields) and its Resend Verification Email button.
 *
 * The state is read through opbridge: from its latest sync run's record while the domain's
 * mirror is current, else from Openprovider's verification list; reading it never starts
 * a verification (the official module starts one on a page view). A resend goes through
 * the outbox as a domain.registrant_verification_resend event.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * $domain with the verification state set through WHMCS's published setters. When
 * opbridge cannot say, the domain is returned as it was: the page still shows the rest.
 */
function opbridge_registrant_verification(array $params, \WHMCS\Domain\Registrar\Domain $domain): \WHMCS\Domain\Registrar\Domain
{
    $path = 'registrar/domains/' . rawurlencode(opbridge_domain_name($params)) . '/verification';
    $state = opbridge_read($params, 'GetDomainInformation', $path);
    if (isset($state['error'])) {
        return $domain;
    }
    $pending = !empty($state['pending']);
    $domain->setIsIrtpEnabled(!empty($state['applies']))
        ->setDomainContactChangePending($pending)
        ->setPendingSuspension($pending);
    if (is_string($state['email'] ?? null) && $state['email'] !== '') {
        $domain->setRegistrantEmailAddress($state['email']);
    }
    $deadline = opbridge_date($state['suspension_date'] ?? null);
    if ($pending && $deadline !== null) {
        $domain->setDomainContactChangeExpiryDate(\WHMCS\Carbon::createFromFormat('!Y-m-d', $deadline));
    }
    return $domain;
}

function opbridge_resend_verification(array $params): array
{
    $data = opbridge_domain_reference($params);
    return opbridge_write($params, 'ResendIRTPVerificationEmail', 'domain.registrant_verification_resend', $data, true);
}
