<?php
/**
 * Renders one of the registrar module's client-area templates the way WHMCS does, with
 * Smarty 3.1 (what WHMCS 8 ships; Debian's smarty3 package), and prints the HTML.
 *
 *   php render_template.php <template file> '<vars as JSON>'
 *
 * Environment: OPBRIDGE_SMARTY (Smarty.class.php), OPBRIDGE_SMARTY_WORK (a writable folder
 * for compiled templates).
 */

declare(strict_types=1);

[, $template, $varsJson] = $argv + [null, '', '{}'];
require getenv('OPBRIDGE_SMARTY') ?: '/usr/share/php/smarty3/Smarty.class.php';

// Smarty 3.1 predates PHP 8.2's deprecation of dynamic properties; anything else a
// template causes (an undefined variable or index, say) fails the render.
$problems = [];
set_error_handler(static function (int $level, string $message, string $file, int $line) use (&$problems): bool {
    if (($level & (E_DEPRECATED | E_USER_DEPRECATED)) === 0) {
        $problems[] = "{$message} ({$file}:{$line})";
    }
    return true;
});
$smarty = new Smarty();
$smarty->setCompileDir((string) getenv('OPBRIDGE_SMARTY_WORK'));
$smarty->setCacheDir((string) getenv('OPBRIDGE_SMARTY_WORK'));
$smarty->error_reporting = E_ALL & ~E_DEPRECATED;
foreach (json_decode($varsJson, true, 512, JSON_THROW_ON_ERROR) as $name => $value) {
    $smarty->assign($name, $value);
}
$html = $smarty->fetch($template);
if ($problems !== []) {
    fwrite(STDERR, implode("\n", $problems) . "\n");
    exit(1);
}
echo $html;
