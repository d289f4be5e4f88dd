<?php
/**
 * localAPI() answered by a WHMCS sandbox (whmcssandbox) over its HTTP API, so that what
 * the module and the hooks write and what opbridge's worker writes end up in one WHMCS,
 * where a test reads it back. Used when OPBRIDGE_HARNESS_WHMCS_API names the sandbox's
 * /includes/api.php; the credentials come from OPBRIDGE_HARNESS_WHMCS_IDENTIFIER/_SECRET.
 *
 * WHMCS's localAPI (developers.whmcs.com/api/internal-api) takes the same actions and
 * parameters as the external API and answers the same array; this sends them there.
 */

declare(strict_types=1);

function harness_remote_api(string $command, array $values): array
{
    $form = ['action' => $command, 'responsetype' => 'json',
        'identifier' => (string) getenv('OPBRIDGE_HARNESS_WHMCS_IDENTIFIER'),
        'secret' => (string) getenv('OPBRIDGE_HARNESS_WHMCS_SECRET')] + $values;
    $curl = curl_init((string) getenv('OPBRIDGE_HARNESS_WHMCS_API'));
    curl_setopt_array($curl, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => http_build_query($form),
        CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 10]);
    $body = curl_exec($curl);
    $answer = is_string($body) ? json_decode($body, true) : null;
    return is_array($answer) ? $answer : ['result' => 'error', 'message' => 'the WHMCS sandbox did not answer: ' . curl_error($curl)];
}
