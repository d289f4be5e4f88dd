<?php
/**
 * Loads <root>/resources/domains/additionalfields.php the way WHMCS does, with the hook
 * file loaded as on every WHMCS page, and prints the resulting $additionaldomainfields
 * as JSON on stdout, with the module log and any PHP errors.
 *
 *   php additionalfields.php
 *
 * Environment: as tests/hook/harness.php; OPBRIDGE_HARNESS_ROOT holds the admin's file.
 */

declare(strict_types=1);

require dirname(__DIR__) . '/hook/whmcs_functions.php';
require dirname(__DIR__, 2) . '/whmcs/includes/hooks/opbridge.php';

$additionaldomainfields = (static function (string $file): array {
    $additionaldomainfields = [];
    include $file;
    return $additionaldomainfields;
})(ROOTDIR . '/resources/domains/additionalfields.php');

echo json_encode([
    'fields' => $additionaldomainfields,
    'module_log' => Harness::$moduleLog,
    'php_errors' => Harness::$phpErrors,
], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), "\n";
