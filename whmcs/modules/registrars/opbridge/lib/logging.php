<?php
/**
 * opbridge: the module log (Utilities > Logs > Module Log) and what is masked before and
 * inside it: webhook secrets, admin tokens and auth codes.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * The start of a text as printable ASCII: cutting UTF-8 at a byte count could leave half a
 * character, which a strict MySQL column refuses.
 */
function opbridge_excerpt(string $text, int $length): string
{
    return substr((string) preg_replace('/[^\x20-\x7E]/', '?', $text), 0, $length);
}

/**
 * The strings WHMCS's log scrubber must hide for a target: the secret and its key part.
 *
 * @return list<string>
 */
function opbridge_masks(array $target): array
{
    $masks = [];
    foreach (['secret', 'token'] as $name) {
        $value = (string) ($target[$name] ?? '');
        if ($value !== '') {
            $masks[] = $value;
            if (str_starts_with($value, 'whsec_')) {
                $masks[] = substr($value, strlen('whsec_'));
            }
        }
    }
    return $masks;
}

/**
 * An event body for the log: an auth code it carries is shown as ********.
 */
function opbridge_masked_body(string $body): string
{
    return (string) preg_replace('/"(epp_code|auth_code)":"(?:[^"\\\\]|\\\\.)*"/', '"$1":"********"', $body);
}

/**
 * Module log entry (Utilities > Logs > Module Log). Secrets are never put into a message;
 * passing them to WHMCS's scrubber as well keeps them out should an error text echo one.
 *
 * @param list<string> $masks
 */
function opbridge_log(string $action, mixed $request, mixed $response, mixed $processed = '', array $masks = []): void
{
    try {
        logModuleCall('opbridge', $action, $request, $response, $processed, array_values(array_filter($masks)));
    } catch (Throwable $error) {
        error_log('opbridge: could not write the module log: ' . $error->getMessage());
    }
}

/**
 * A copy of a request or answer for the module log, with auth codes replaced by ********.
 */
function opbridge_masked(array $values): array
{
    foreach ($values as $key => $value) {
        if (in_array((string) $key, ['epp_code', 'auth_code', 'eppcode'], true) && (string) $value !== '') {
            $values[$key] = '********';
        } elseif (is_array($value)) {
            $values[$key] = opbridge_masked($value);
        }
    }
    return $values;
}

/**
 * What WHMCS's log scrubber hides on top: the secret, the token and any auth code.
 *
 * @return list<string>
 */
function opbridge_secret_masks(array $settings, array $params, array $data): array
{
    $masks = opbridge_masks($settings);
    foreach ([(string) ($params['eppcode'] ?? ''), (string) ($data['epp_code'] ?? '')] as $code) {
        if ($code !== '') {
            $masks[] = $code;
        }
    }
    return $masks;
}
