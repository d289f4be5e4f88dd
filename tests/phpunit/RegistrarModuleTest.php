<?php
/**
 * The registrar module's contract, in the manner of the PHPUnit test WHMCS's sample
 * registrar module ships (tests/WHMCSSampleRegistrarModuleTest.php: the functions every
 * registrar module should define exist), extended to what WHMCS publishes about each
 * function's answer: developers.whmcs.com "Domain Registrars" (GitHub WHMCS/developer-docs,
 * domain-registrars/*.md) and the sample module's returns.
 *
 * Every function is called as WHMCS calls it, one after another in one PHP process. An
 * answer is either ['error' => sentence] or the success shape WHMCS publishes for that
 * function; with OPBRIDGE_PHPUNIT_EXPECT=success an error fails the test.
 */

declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use WHMCS\Domain\Registrar\Domain as RegistrarDomain;
use WHMCS\Domains\DomainLookup\ResultsList;
use WHMCS\Domains\DomainLookup\SearchResult;

final class RegistrarModuleTest extends TestCase
{
    /** WHMCS's contact labels (sample module, GetContactDetails). */
    private const CONTACT_LABELS = ['First Name', 'Last Name', 'Company Name', 'Email Address', 'Address 1',
        'Address 2', 'City', 'State', 'Postcode', 'Country', 'Phone Number', 'Fax Number'];
    private const CONTACT_ROLES = ['Registrant', 'Technical', 'Billing', 'Admin'];
    /** The field types WHMCS's settings forms take (domain-registrars/config-options). */
    private const FIELD_TYPES = ['System', 'text', 'password', 'yesno', 'dropdown', 'radio', 'textarea'];

    /** The functions WHMCS's sample test requires of every registrar module. */
    public static function coreFunctions(): array
    {
        $names = ['RegisterDomain', 'TransferDomain', 'RenewDomain', 'GetNameservers', 'SaveNameservers',
            'GetContactDetails', 'SaveContactDetails'];
        return array_combine($names, array_map(static fn (string $name): array => [$name], $names));
    }

    /**
     * @dataProvider coreFunctions
     */
    public function testTheCoreFunctionIsDefined(string $function): void
    {
        self::assertTrue(function_exists("opbridge_{$function}"), "opbridge_{$function} is not defined");
    }

    public function testMetaDataNamesTheModuleAndTheApiVersion(): void
    {
        $meta = opbridge_MetaData();
        self::assertSame(['APIVersion', 'DisplayName'], self::sortedKeys($meta));
        self::assertSame('1.1', $meta['APIVersion']);
        self::assertNotSame('', $meta['DisplayName']);
    }

    public function testEverySettingIsAFieldWhmcsDraws(): void
    {
        $fields = opbridge_getConfigArray();
        self::assertSame(['Type' => 'System', 'Value' => 'opbridge'], $fields['FriendlyName']);
        foreach ($fields as $name => $field) {
            self::assertContains($field['Type'], self::FIELD_TYPES, "{$name}'s type");
            if ($name !== 'FriendlyName') {
                self::assertIsString($field['FriendlyName'], "{$name}'s label");
            }
        }
    }

    /** domain-registrars/extending-further: label => custom function name without the prefix. */
    public function testEveryButtonNamesAFunctionOfTheModule(): void
    {
        $buttons = array_merge(opbridge_AdminCustomButtonArray(), opbridge_ClientAreaCustomButtonArray(),
            opbridge_ClientAreaAllowedFunctions());
        foreach ($buttons as $label => $function) {
            self::assertIsString($label);
            self::assertTrue(function_exists("opbridge_{$function}"), "the button {$label} calls opbridge_{$function}");
        }
    }

    /** Every function WHMCS may call is checked below: a new one without a shape fails here. */
    public function testEveryFunctionWhmcsCallsHasItsShapeChecked(): void
    {
        $checked = array_merge(array_keys(self::calls()), ['MetaData', 'getConfigArray', 'config_validate',
            'AdminCustomButtonArray', 'ClientAreaCustomButtonArray', 'ClientAreaAllowedFunctions']);
        $defined = [];
        foreach (get_defined_functions()['user'] as $function) {
            // WHMCS's names start with a capital, and PHP lists them in lower case: compare so.
            $name = (new ReflectionFunction($function))->getName();
            if (preg_match('/^opbridge_([A-Z]\w*)$/', $name, $match) === 1) {
                $defined[] = $match[1];
            }
        }
        self::assertSame([], array_values(array_diff($defined, $checked)));
    }

    /** Each function, the parameters WHMCS gives it besides the common ones, and its shape check. */
    public static function calls(): array
    {
        $domain = ['domainid' => 11, 'sld' => 'voorbeeld', 'tld' => 'nl', 'domainname' => 'voorbeeld.nl'];
        $contact = ['firstname' => 'Jan', 'lastname' => 'de Vries', 'companyname' => '', 'email' => 'jan@example.nl',
            'address1' => 'Keizersgracht 1', 'city' => 'Amsterdam', 'postcode' => '1015 CJ', 'countrycode' => 'NL',
            'fullphonenumber' => '+31.201234567'];
        $registrant = ['First Name' => 'Eva', 'Last Name' => 'Jansen', 'Company Name' => '', 'Email Address' => 'eva@example.nl',
            'Address 1' => 'Dam 1', 'Address 2' => '', 'City' => 'Amsterdam', 'State' => '', 'Postcode' => '1012 JS',
            'Country' => 'NL', 'Phone Number' => '+31.201112233', 'Fax Number' => ''];
        $search = ['searchTerm' => 'voorbeeld', 'punyCodeSearchTerm' => 'voorbeeld', 'tldsToInclude' => ['.nl', '.com'],
            'isIdnDomain' => false, 'premiumEnabled' => true];
        return [
            // The reads of the domain pages and WHMCS's sync cron.
            'GetNameservers' => ['GetNameservers', $domain, 'nameservers'],
            'GetRegistrarLock' => ['GetRegistrarLock', $domain, 'lock'],
            'GetContactDetails' => ['GetContactDetails', $domain, 'contacts'],
            'GetEPPCode' => ['GetEPPCode', $domain, 'eppcode'],
            'GetDomainInformation' => ['GetDomainInformation', $domain, 'domainInformation'],
            'Sync' => ['Sync', $domain + ['status' => 'Active'], 'sync'],
            'TransferSync' => ['TransferSync', $domain + ['status' => 'Pending Transfer'], 'transferSync'],
            'CheckAvailability' => ['CheckAvailability', $search, 'lookup'],
            'GetDomainSuggestions' => ['GetDomainSuggestions', ['searchTerm' => 'bakkerij', 'punyCodeSearchTerm' => 'bakkerij',
                'tldsToInclude' => ['.com', '.nl'], 'isIdnDomain' => false, 'premiumEnabled' => false,
                'suggestionSettings' => ['MaxSuggestions' => '5']], 'lookup'],
            'DomainSuggestionOptions' => ['DomainSuggestionOptions', [], 'suggestionSettings'],
            'GetTldPricing' => ['GetTldPricing', [], 'tldImport'],
            'GetDNS' => ['GetDNS', $domain, 'dnsRecords'],
            'OpbridgeStatus' => ['OpbridgeStatus', $domain, 'customAction'],
            'SyncNow' => ['SyncNow', $domain, 'customAction'],
            'DNSSECKeys' => ['DNSSECKeys', $domain, 'customAction'],
            'DNSSEC' => ['DNSSEC', $domain, 'clientAreaPage'],
            // The writes of the Registrar Commands and the client area's forms.
            'SaveNameservers' => ['SaveNameservers', $domain + ['ns1' => 'ns1.example.net', 'ns2' => 'ns2.example.net'], 'successTrue'],
            'SaveRegistrarLock' => ['SaveRegistrarLock', $domain + ['lockenabled' => 'locked'], 'successString'],
            'SaveContactDetails' => ['SaveContactDetails', $domain + ['contactdetails' => ['Registrant' => $registrant]], 'successTrue'],
            'IDProtectToggle' => ['IDProtectToggle', $domain + ['protectenable' => true], 'successString'],
            'RegisterNameserver' => ['RegisterNameserver', $domain + ['nameserver' => 'ns1.voorbeeld.nl', 'ipaddress' => '192.0.2.1'], 'successString'],
            'ModifyNameserver' => ['ModifyNameserver', $domain + ['nameserver' => 'ns1.voorbeeld.nl', 'currentipaddress' => '192.0.2.1',
                'newipaddress' => '192.0.2.2'], 'successString'],
            'DeleteNameserver' => ['DeleteNameserver', $domain + ['nameserver' => 'ns1.voorbeeld.nl'], 'successString'],
            'RenewDomain' => ['RenewDomain', ['domainid' => 14, 'sld' => 'bestaand', 'tld' => 'nl', 'domainname' => 'bestaand.nl',
                'regperiod' => 1], 'successTrue'],
            'TransferDomain' => ['TransferDomain', ['domainid' => 12, 'sld' => 'xn--bcher-kva', 'tld' => 'example',
                'domainname' => 'xn--bcher-kva.example', 'regperiod' => 1, 'eppcode' => 'moveme-1',
                'ns1' => 'ns1.example.net', 'ns2' => 'ns2.example.net'] + $contact, 'successTrue'],
            'RegisterDomain' => ['RegisterDomain', $domain + ['regperiod' => 1, 'ns1' => 'ns1.example.net',
                'ns2' => 'ns2.example.net'] + $contact, 'successTrue'],
            'SaveDNS' => ['SaveDNS', $domain + ['dnsrecords' => [['hostname' => 'www', 'type' => 'A',
                'address' => '192.0.2.10', 'priority' => '', 'recid' => '']]], 'successString'],
            'ResendIRTPVerificationEmail' => ['ResendIRTPVerificationEmail', $domain, 'successTrue'],
            'RequestDelete' => ['RequestDelete', $domain, 'successString'],
        ];
    }

    /**
     * @dataProvider calls
     */
    public function testTheAnswerHasThePublishedShape(string $function, array $params, string $shape): void
    {
        $name = "opbridge_{$function}";
        self::assertTrue(function_exists($name), "{$name} is not defined");
        try {
            $answer = $function === 'DomainSuggestionOptions' ? $name() : $name(self::moduleSettings() + $params);
        } catch (Exception $error) {
            // domain-registrars/domain-information: GetDomainInformation reports errors by throwing.
            self::assertSame('GetDomainInformation', $function, get_class($error) . ': ' . $error->getMessage());
            $answer = ['error' => $error->getMessage()];
        }
        if (is_array($answer) && array_key_exists('error', $answer)) {
            self::assertSame(['error'], array_keys($answer));
            self::assertIsString($answer['error']);
            self::assertNotSame('', trim($answer['error']));
            self::assertNotSame('success', getenv('OPBRIDGE_PHPUNIT_EXPECT'), "{$function} answered: {$answer['error']}");
            return;
        }
        $this->{$shape}($answer);
    }

    private function successTrue($answer): void
    {
        self::assertSame(['success' => true], $answer);
    }

    private function successString($answer): void
    {
        self::assertSame(['success' => 'success'], $answer);
    }

    private function nameservers($answer): void
    {
        self::assertIsArray($answer);
        self::assertNotEmpty($answer);
        foreach ($answer as $key => $host) {
            self::assertContains($key, ['ns1', 'ns2', 'ns3', 'ns4', 'ns5']);
            self::assertIsString($host);
        }
    }

    private function lock($answer): void
    {
        self::assertContains($answer, ['locked', 'unlocked']);
    }

    private function contacts($answer): void
    {
        self::assertIsArray($answer);
        self::assertArrayHasKey('Registrant', $answer);
        foreach ($answer as $role => $fields) {
            self::assertContains($role, self::CONTACT_ROLES);
            self::assertSame(self::sorted(self::CONTACT_LABELS), self::sortedKeys($fields), "{$role}'s fields");
        }
    }

    private function eppcode($answer): void
    {
        self::assertIsArray($answer);
        if (array_keys($answer) === ['success']) {
            self::assertSame('success', $answer['success']);  // mailed to the registrant
            return;
        }
        self::assertSame(['eppcode'], array_keys($answer));
        self::assertIsString($answer['eppcode']);
    }

    private function domainInformation($answer): void
    {
        self::assertInstanceOf(RegistrarDomain::class, $answer);
        $published = (new ReflectionClass(RegistrarDomain::class))->getConstants();
        if ($answer->getRegistrationStatus() !== null) {
            self::assertContains($answer->getRegistrationStatus(), $published);
        }
        self::assertNotSame('', (string) $answer->getDomain());
    }

    private function sync($answer): void
    {
        // domain-registrars/domain-syncing: active, cancelled, transferredAway, expirydate.
        self::assertIsArray($answer);
        self::assertSame([], array_diff(array_keys($answer), ['active', 'cancelled', 'transferredAway', 'expirydate']));
        self::assertArrayHasKey('active', $answer);
        self::assertDate($answer['expirydate'] ?? null);
    }

    private function transferSync($answer): void
    {
        // domain-registrars/domain-syncing: completed with expirydate, failed with reason, or neither (pending).
        self::assertIsArray($answer);
        self::assertSame([], array_diff(array_keys($answer), ['completed', 'expirydate', 'failed', 'reason']));
        if (!empty($answer['completed'])) {
            self::assertDate($answer['expirydate'] ?? '');
        }
        if (!empty($answer['failed'])) {
            self::assertIsString($answer['reason']);
        }
    }

    private function lookup($answer): void
    {
        // domain-registrars/availability-checks: an ArrayObject of SearchResults.
        self::assertInstanceOf(ResultsList::class, $answer);
        $statuses = (new ReflectionClass(SearchResult::class))->getConstants();
        foreach ($answer as $found) {
            self::assertInstanceOf(SearchResult::class, $found);
            self::assertContains($found->getStatus(), $statuses);
        }
    }

    private function tldImport($answer): void
    {
        // domain-registrars/tld-pricing-sync: a ResultsList of ImportItems.
        self::assertInstanceOf(\WHMCS\Results\ResultsList::class, $answer);
        foreach ($answer as $item) {
            self::assertInstanceOf(\WHMCS\Domain\TopLevel\ImportItem::class, $item);
        }
    }

    private function suggestionSettings($answer): void
    {
        self::assertIsArray($answer);
        foreach ($answer as $name => $field) {
            self::assertContains($field['Type'], self::FIELD_TYPES, "{$name}'s type");
            self::assertIsString($field['FriendlyName']);
        }
    }

    private function dnsRecords($answer): void
    {
        // The sample module's GetDNS: a list of hostname, type, address, priority. recid is not
        // in WHMCS's developer docs; WHMCS's client-area DNS template posts it back as the row's id.
        self::assertIsArray($answer);
        self::assertTrue(array_is_list($answer));
        foreach ($answer as $record) {
            self::assertSame([], array_diff(array_keys($record), ['hostname', 'type', 'address', 'priority', 'recid']));
            self::assertSame([], array_diff(['hostname', 'type', 'address', 'priority'], array_keys($record)));
        }
    }

    private function clientAreaPage($answer): void
    {
        // domain-registrars/extending-further: templatefile, breadcrumb and vars.
        self::assertIsArray($answer);
        self::assertSame([], array_diff(array_keys($answer), ['templatefile', 'breadcrumb', 'vars']));
        self::assertIsString($answer['templatefile']);
    }

    private function customAction($answer): void
    {
        // domain-registrars/extending-further: "a simple empty array/error for an action function".
        self::assertIsArray($answer);
    }

    private static function assertDate($value): void
    {
        if ($value !== null) {
            self::assertMatchesRegularExpression('/^\d{4}-\d{2}-\d{2}$/', $value);
        }
    }

    /** The module's settings as WHMCS merges them into $params. */
    private static function moduleSettings(): array
    {
        $settings = json_decode(getenv('OPBRIDGE_PHPUNIT_SETTINGS') ?: 'null', true);
        return is_array($settings) ? $settings : [
            // opbridge away: nothing listens on the discard port.
            'ListenerURL' => 'http://127.0.0.1:9/hooks/whmcs', 'AdminURL' => 'http://127.0.0.1:9',
            'WebhookSecret' => 'whsec_' . base64_encode(str_repeat('k', 32)), 'AdminToken' => 'unused-token', 'Timeout' => '2',
        ];
    }

    private static function sortedKeys(array $values): array
    {
        return self::sorted(array_keys($values));
    }

    private static function sorted(array $values): array
    {
        sort($values);
        return $values;
    }
}
