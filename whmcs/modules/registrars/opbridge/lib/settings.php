<?php
/**
 * opbridge: the registrar module's settings, falling back to the hook file's.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * The module's settings, each falling back to the hook file's (environment or
 * configuration.php) when left empty here.
 *
 * @return array{url: string, secret: string, admin_url: string, token: string, connect_timeout: int, timeout: int}
 */
function opbridge_module_settings(array $params): array
{
    $shared = function_exists('opbridge_settings') ? opbridge_settings() : ['url' => '', 'secret' => ''];
    $url = trim((string) ($params['ListenerURL'] ?? '')) ?: $shared['url'];
    $adminUrl = rtrim(trim((string) ($params['AdminURL'] ?? '')), '/');
    if ($adminUrl === '') {
        $adminUrl = (string) preg_replace('#/hooks/whmcs/?$#', '', $url);
    }
    $timeout = (int) ($params['Timeout'] ?? 0);
    return [
        'url' => $url,
        'secret' => trim((string) ($params['WebhookSecret'] ?? '')) ?: $shared['secret'],
        'admin_url' => $adminUrl,
        'token' => trim((string) ($params['AdminToken'] ?? '')),
        'connect_timeout' => min(OPBRIDGE_CONNECT_TIMEOUT, $timeout > 0 ? $timeout : OPBRIDGE_TIMEOUT),
        'timeout' => $timeout > 0 ? min($timeout, 30) : OPBRIDGE_TIMEOUT,
    ];
}
