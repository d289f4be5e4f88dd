<?php
/**
 * opbridge: the registrar module's reads from opbridge's admin API (/api/v1), answered at
 * once with a short timeout; never throws.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * GET one admin API path. Returns the decoded answer, or ['error' => sentence] for an
 * unreachable opbridge, a refusal or anything that is not JSON; never throws.
 */
function opbridge_read(array $params, string $action, string $path): array
{
    $settings = opbridge_module_settings($params);
    $masks = opbridge_secret_masks($settings, $params, []);
    try {
        if ($settings['admin_url'] === '' || $settings['token'] === '') {
            $answer = ['error' => 'The opbridge module has no admin API URL or token: set them under Domain Registrars.'];
            opbridge_log($action, "GET /api/v1/{$path}", $answer['error'], '', $masks);
            return $answer;
        }
        $url = "{$settings['admin_url']}/api/v1/{$path}";
        $response = opbridge_http('GET', $url, ['Accept: application/json', "Authorization: Bearer {$settings['token']}"], null, $settings);
        $decoded = json_decode($response['body'], true);
        $answer = match (true) {
            $response['status'] === 0 => ['error' => "opbridge did not answer within {$settings['timeout']} s ({$response['error']}); try again shortly."],
            $response['status'] === 200 && is_array($decoded) => $decoded,
            default => ['error' => 'opbridge: ' . opbridge_answer_message($response)],
        };
        opbridge_log($action, "GET {$url}", opbridge_masked($answer), isset($answer['error']) ? 'failed' : 'answered', $masks);
        return $answer;
    } catch (Throwable $error) {
        $answer = ['error' => 'opbridge could not be asked: ' . $error->getMessage()];
        opbridge_log($action, "GET /api/v1/{$path}", $answer['error'], 'failed', $masks);
        return $answer;
    }
}

/**
 * opbridge's nameservers (host or host/ip) as WHMCS's ns1..ns5 host names.
 */
function opbridge_ns_fields(array $domain): array
{
    $fields = [];
    foreach (array_slice((array) ($domain['nameservers'] ?? []), 0, 5) as $index => $server) {
        $fields['ns' . ($index + 1)] = explode('/', (string) $server, 2)[0];
    }
    return $fields;
}

function opbridge_sync_path(array $params, bool $live = false): string
{
    return 'registrar/domains/' . rawurlencode(opbridge_domain_name($params)) . '/sync' . ($live ? '?live=1' : '');
}
