<?php
/**
 * opbridge: one HTTP request to opbridge with short timeouts, and its outcome in a sentence.
 *
 * A target is ['url' => listener /hooks/whmcs URL, 'secret' => whsec_<base64>,
 * 'connect_timeout' => seconds, 'timeout' => seconds].
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

const OPBRIDGE_CONNECT_TIMEOUT = 3;

const OPBRIDGE_TIMEOUT = 5;

/**
 * One HTTP request with the target's short timeouts; never throws.
 *
 * @param list<string> $headers
 * @return array{status: int, body: string, error: string}
 */
function opbridge_http(string $method, string $url, array $headers, ?string $body, array $target): array
{
    $curl = curl_init($url);
    if ($curl === false) {
        return ['status' => 0, 'body' => '', 'error' => 'curl could not start'];
    }
    $options = [
        CURLOPT_CUSTOMREQUEST => $method,
        // An empty Expect stops curl from waiting for "100 Continue" on larger bodies.
        CURLOPT_HTTPHEADER => array_merge($headers, ['Expect:']),
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CONNECTTIMEOUT => max(1, (int) ($target['connect_timeout'] ?? OPBRIDGE_CONNECT_TIMEOUT)),
        CURLOPT_TIMEOUT => max(1, (int) ($target['timeout'] ?? OPBRIDGE_TIMEOUT)),
        CURLOPT_SSL_VERIFYPEER => true,
        CURLOPT_SSL_VERIFYHOST => 2,
        CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
    ];
    if ($body !== null) {
        $options[CURLOPT_POSTFIELDS] = $body;
    }
    curl_setopt_array($curl, $options);
    $answer = curl_exec($curl);
    return [
        'status' => $answer === false ? 0 : (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE),
        'body' => $answer === false ? '' : (string) $answer,
        'error' => curl_error($curl),
    ];
}

/**
 * An HTTP outcome for a log line: the status and the start of the body, or the transport error.
 */
function opbridge_http_summary(array $response): string
{
    $body = opbridge_excerpt(trim($response['body']), 2000);
    return $response['status'] === 0 ? "transport error: {$response['error']}" : "HTTP {$response['status']}: {$body}";
}

function opbridge_answer_message(array $response): string
{
    $decoded = json_decode($response['body'], true);
    if (is_array($decoded) && isset($decoded['message'])) {
        return (string) $decoded['message'];
    }
    return "HTTP {$response['status']}";
}
