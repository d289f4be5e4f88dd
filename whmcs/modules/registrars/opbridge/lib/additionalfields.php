<?php
/**
 * opbridge: the registry data each TLD needs, as WHMCS additional domain fields, read
 * from opbridge's TLD catalogue (Openprovider's own additional-data specification).
 *
 * The admin adds two lines to <whmcs>/resources/domains/additionalfields.php, once:
 *
 *   require_once ROOTDIR . '/modules/registrars/opbridge/lib/additionalfields.php';
 *   opbridge_additional_domain_fields($additionaldomainfields);
 *
 * From then on the fields follow the catalogue, which opbridge refreshes daily: nothing
 * in PHP is edited again. Only the extensions whose registrations need registry data
 * are set; the admin's fields for every other extension stay as they are.
 *
 * The same fields check the cart before payment (the hook file's
 * ShoppingCartValidateCheckout), as opbridge checks them again at intake.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

// WHMCS loads this file on its cart pages through the admin's additionalfields.php: on a PHP
// older than opbridge needs it loads nothing newer and sets no field (lib/php_version.php).
require_once __DIR__ . '/php_version.php';
if (!opbridge_php_too_old()) {
    foreach (['values', 'logging', 'http'] as $opbridgePart) {
        require_once __DIR__ . "/{$opbridgePart}.php";
    }
}

/** How long a read of the fields serves before opbridge is asked again. */
const OPBRIDGE_FIELDS_FRESH_SECONDS = 600;

/**
 * Set the generated fields of every extension that needs registry data in $fields
 * (WHMCS's $additionaldomainfields). Never throws: without an answer from opbridge
 * and without an earlier one, $fields is left as the admin wrote it.
 */
function opbridge_additional_domain_fields(&$fields): void
{
    if (opbridge_php_too_old()) {
        return;
    }
    try {
        if (!is_array($fields)) {
            $fields = [];
        }
        foreach (opbridge_registry_fields() as $extension => $list) {
            $fields[$extension] = $list;
        }
    } catch (Throwable $error) {
        opbridge_log('AdditionalFields', 'generate', get_class($error) . ': ' . $error->getMessage());
    }
}

/**
 * The generated fields by extension (".es" => [[Name, DisplayName, Type, ...], ...]):
 * from this request's earlier read, a fresh cached read, opbridge, or a stale cached
 * read when opbridge does not answer.
 *
 * @return array<string, list<array<string, mixed>>>
 */
function opbridge_registry_fields(): array
{
    static $read = null;
    if ($read !== null) {
        return $read;
    }
    $base = opbridge_base_url();
    if ($base === '') {
        return $read = [];
    }
    $cache = sys_get_temp_dir() . '/opbridge-fields-' . md5($base) . '.json';
    $cached = is_file($cache) ? json_decode((string) file_get_contents($cache), true) : null;
    if (is_array($cached) && time() - (int) filemtime($cache) < OPBRIDGE_FIELDS_FRESH_SECONDS) {
        return $read = $cached;
    }
    $response = opbridge_http('GET', "{$base}/whmcs/additional-fields", ['Accept: application/json'], null, []);
    $answer = json_decode($response['body'], true);
    if ($response['status'] === 200 && is_array($answer) && is_array($answer['extensions'] ?? null)) {
        @file_put_contents($cache, json_encode($answer['extensions']), LOCK_EX);
        return $read = $answer['extensions'];
    }
    opbridge_log('AdditionalFields', "GET {$base}/whmcs/additional-fields", opbridge_http_summary($response),
        is_array($cached) ? 'kept the last fields read' : 'no fields');
    return $read = is_array($cached) ? $cached : [];
}

/**
 * opbridge's address: the hook file's listener URL without /hooks/whmcs.
 */
function opbridge_base_url(): string
{
    $url = function_exists('opbridge_settings') ? opbridge_settings()['url'] : (string) getenv('OPBRIDGE_HOOK_URL');
    return (string) preg_replace('#/hooks/whmcs/?$#', '', rtrim(trim($url), '/'));
}

/**
 * What is wrong with the registry data of the domains in a cart, one sentence each:
 * a required field left empty or a dropdown value that is not one of its options.
 * $domains are WHMCS's cart domains (['domain' => 'x.es', 'type' => 'register',
 * 'fields' => values by field position or by Name]).
 *
 * @return list<string>
 */
function opbridge_cart_registry_errors(array $domains): array
{
    $generated = opbridge_registry_fields();
    $errors = [];
    foreach ($domains as $item) {
        if (!is_array($item) || !in_array($item['type'] ?? '', ['register', 'transfer'], true)) {
            continue;
        }
        $name = strtolower(trim((string) ($item['domain'] ?? '')));
        $extension = opbridge_generated_extension($name, $generated);
        if ($extension === null) {
            continue;
        }
        $values = is_array($item['fields'] ?? null) ? $item['fields'] : [];
        foreach ($generated[$extension] as $position => $field) {
            $value = trim((string) ($values[$field['Name']] ?? $values[$position] ?? ''));
            $label = (string) ($field['DisplayName'] ?? $field['Name']);
            if ($value === '' && !empty($field['Required']) && ($field['Type'] ?? '') !== 'tickbox') {
                $errors[] = "{$name}: {$label} ({$field['Name']}) is required for {$extension}.";
            } elseif ($value !== '' && ($field['Type'] ?? '') === 'dropdown' && !in_array($value, opbridge_option_values($field), true)) {
                $errors[] = "{$name}: {$label} ({$field['Name']}) cannot be \"{$value}\".";
            }
        }
    }
    return $errors;
}

/**
 * The longest generated extension the name ends with (.com.au before .au), if any.
 */
function opbridge_generated_extension(string $name, array $generated): ?string
{
    $best = null;
    foreach (array_keys($generated) as $extension) {
        $tail = (string) $extension;
        // substr, not str_ends_with: this file parses and runs on PHP 7.4 too.
        if ($tail !== '' && substr($name, -strlen($tail)) === $tail && ($best === null || strlen($tail) > strlen($best))) {
            $best = $tail;
        }
    }
    return $best;
}

/**
 * @return list<string>
 */
function opbridge_option_values(array $field): array
{
    return array_map(
        static fn (string $option): string => explode('|', $option, 2)[0],
        explode(',', (string) ($field['Options'] ?? ''))
    );
}
