<?php
/**
 * Stand-ins for the classes WHMCS hands the hook file and the registrar module, with the
 * members WHMCS publishes and nothing else, so a member a real WHMCS lacks fails here too.
 * Sources, cited per member:
 *   [dev:<page>]   GitHub WHMCS/developer-docs, <page>.md (developers.whmcs.com)
 *   [sample]       GitHub WHMCS/sample-registrar-module, modules/registrars/registrarmodule/
 *   [classes]      developers.whmcs.com "Classes" (8.13 and 9.0), as summarised in the
 *                  project's reference whmcs-registrar-module.md, "The classes WHMCS hands a module"
 * Private properties are only this file's storage behind the published members. The
 * harnesses read what a module left in an object through the published getters, or, for
 * ImportItem (published with setters only), through harness_state() in whmcs_functions.php.
 */

declare(strict_types=1);

namespace Illuminate\Database {

    use PDO;

    /**
     * What Capsule::connection() returns in WHMCS (Laravel's connection [dev:advanced/db-interaction]),
     * backed here by a SQLite file (OPBRIDGE_HARNESS_DB) instead of WHMCS's MySQL database.
     */
    final class Connection
    {
        private static ?PDO $pdo = null;

        /** [dev:advanced/db-interaction] "the connection manager's getPdo() method": the underlying PDO. */
        public function getPdo(): PDO
        {
            if (self::$pdo === null) {
                $path = getenv('OPBRIDGE_HARNESS_DB') ?: sys_get_temp_dir() . '/opbridge-harness.db';
                self::$pdo = new PDO('sqlite:' . $path, null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
            }
            return self::$pdo;
        }
    }
}

namespace WHMCS\Database {

    use Illuminate\Database\Connection;

    final class Capsule
    {
        /** [dev:advanced/db-interaction] Capsule::connection(): the connection manager. */
        public static function connection(): Connection
        {
            return new Connection();
        }
    }
}

namespace WHMCS\Config {

    final class Setting
    {
        /**
         * tblconfiguration as this harness's WHMCS holds it: SystemURL is the setting the
         * docs read [dev:advanced/admin-area]; Version is WHMCS's own version row.
         */
        private const VALUES = [
            'SystemURL' => 'https://billing.example.test/',
            'Version' => '8.7.2-release.1',
        ];

        /** [dev:advanced/admin-area] Setting::getValue('SystemURL'): a system setting's value. */
        public static function getValue(string $name): ?string
        {
            return self::VALUES[$name] ?? null;
        }
    }
}

namespace WHMCS\Exception\Module {

    /** [dev:domain-registrars/config-options] thrown by <module>_config_validate to refuse settings. */
    class InvalidConfiguration extends \Exception
    {
    }
}

namespace WHMCS {

    /**
     * [dev:domain-registrars/domain-information] [classes] WHMCS's subclass of Carbon (a
     * DateTime): the constructors the published members name.
     */
    class Carbon extends \DateTime
    {
        /** [classes] Carbon's createFromFormat: unlike DateTime's, a mismatch throws instead of answering false. */
        public static function createFromFormat(string $format, string $datetime, ?\DateTimeZone $timezone = null): static
        {
            $parsed = \DateTime::createFromFormat($format, $datetime, $timezone);
            $errors = \DateTime::getLastErrors();
            if ($parsed === false || ($errors !== false && $errors['warning_count'] + $errors['error_count'] > 0)) {
                throw new \InvalidArgumentException("'{$datetime}' does not match the format '{$format}'");
            }
            return new static($parsed->format('Y-m-d H:i:s.u'), $parsed->getTimezone());
        }

        /** [classes] Carbon::now(). */
        public static function now(?\DateTimeZone $timezone = null): static
        {
            return new static('now', $timezone);
        }

        /** [classes] Carbon::today(): midnight today. */
        public static function today(?\DateTimeZone $timezone = null): static
        {
            return new static('today', $timezone);
        }

        /** [classes] Carbon::parse(): any date string DateTime understands. */
        public static function parse(string $time = 'now', ?\DateTimeZone $timezone = null): static
        {
            return new static($time, $timezone);
        }
    }
}

namespace WHMCS\Domains {

    /** [dev:domain-registrars/extending-further] the domain object ($params['original']['domainObj']). */
    class Domain
    {
        protected string $secondLevel = '';
        protected string $topLevel = '';

        /** [classes] the whole name, second level and top level joined. */
        public function getDomain(): string
        {
            return $this->secondLevel . '.' . ltrim($this->topLevel, '.');
        }

        /** [classes] the name without its TLD. */
        public function getSecondLevel(): string
        {
            return $this->secondLevel;
        }

        /** [dev:domain-registrars/extending-further] "The Top Level Domain for the given domain." */
        public function getTopLevel(): string
        {
            return $this->topLevel;
        }

        /** [dev:domain-registrars/extending-further] true when a label is not plain ASCII. */
        public function isIdn(): bool
        {
            return preg_match('/[^\x00-\x7f]|(^|\.)xn--/i', $this->getDomain()) === 1;
        }

        /** [dev:domain-registrars/extending-further] the full name in Unicode. */
        public function toUnicode(): string
        {
            // Without php-intl (not installed here) the harness answers the name as given.
            return function_exists('idn_to_utf8') ? (string) idn_to_utf8($this->getDomain()) : $this->getDomain();
        }

        /** [dev:domain-registrars/extending-further] the full name in Punycode, as stored. */
        public function toPunycode(): string
        {
            return function_exists('idn_to_ascii') ? (string) idn_to_ascii($this->getDomain()) : $this->getDomain();
        }
    }
}

namespace WHMCS\Domains\DomainLookup {

    use WHMCS\Domains\Domain;

    /**
     * [dev:domain-registrars/availability-checks] [sample] one lookup answer. WHMCS publishes
     * the constants' names; the values here are this harness's, and tests compare them by name.
     */
    class SearchResult extends Domain
    {
        /** [sample] CheckAvailability: the name is taken. */
        public const STATUS_REGISTERED = 'registered';
        /** [sample] CheckAvailability: the name can be registered. */
        public const STATUS_NOT_REGISTERED = 'available';
        /** [sample] CheckAvailability: the registry reserves the name. */
        public const STATUS_RESERVED = 'reserved';
        /** [classes] the registrar could not tell. */
        public const STATUS_UNKNOWN = 'error';
        /** [sample] CheckAvailability: the registrar does not offer the TLD. */
        public const STATUS_TLD_NOT_SUPPORTED = 'unknown';

        private string $status = '';
        private ?float $score = null;
        private bool $premium = false;
        private array $premiumCostPricing = [];

        /** [sample] new SearchResult($sld, $tld). */
        public function __construct(string $sld, string $tld)
        {
            $this->secondLevel = $sld;
            $this->topLevel = $tld;
        }

        /** [classes] a result for an existing domain object. */
        public static function factoryFromDomain(Domain $domain): self
        {
            return new self($domain->getSecondLevel(), $domain->getTopLevel());
        }

        /** [sample] one of the STATUS_ constants. */
        public function setStatus(string $status): void
        {
            $this->status = $status;
        }

        /** [classes] the status set. */
        public function getStatus(): string
        {
            return $this->status;
        }

        /** [sample] GetDomainSuggestions: the suggestion's weight. */
        public function setScore(float $score): void
        {
            $this->score = $score;
        }

        /** [classes] the score set. */
        public function getScore(): ?float
        {
            return $this->score;
        }

        /** [sample] marks the name as premium. */
        public function setPremiumDomain(bool $premium): void
        {
            $this->premium = $premium;
        }

        /** [classes] whether the name was marked premium. */
        public function isPremium(): bool
        {
            return $this->premium;
        }

        /** [sample] [dev:domain-registrars/premium-domains] register/renew/CurrencyCode cost prices. */
        public function setPremiumCostPricing(array $pricing): void
        {
            $this->premiumCostPricing = $pricing;
        }

        /** [classes] the cost prices set. */
        public function getPremiumCostPricing(): array
        {
            return $this->premiumCostPricing;
        }
    }

    /** [dev:domain-registrars/availability-checks] "an ArrayObject based collection" of SearchResults. */
    class ResultsList extends \ArrayObject
    {
        /** [classes] the collection as a plain array. */
        public function toArray(): array
        {
            return $this->getArrayCopy();
        }
    }
}

namespace WHMCS\Results {

    /** [dev:domain-registrars/tld-pricing-sync] the ArrayObject GetTldPricing fills with ImportItems. */
    class ResultsList extends \ArrayObject
    {
        /** [classes] the collection as a plain array. */
        public function toArray(): array
        {
            return $this->getArrayCopy();
        }
    }
}

namespace WHMCS\Domain\TopLevel {

    /**
     * [dev:domain-registrars/tld-pricing-sync] one TLD and its cost prices for the Registrar
     * TLD Sync; every setter chains. Required: extension, register price, currency.
     */
    class ImportItem
    {
        /** Only what the module set, by setter name without "set": WHMCS's defaults are its own. */
        private array $values = [];

        /** [dev:domain-registrars/tld-pricing-sync] required: ".com", ".co.uk". */
        public function setExtension(string $extension): self
        {
            $this->values['extension'] = $extension;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] default 1. */
        public function setMinYears(int $years): self
        {
            $this->values['minYears'] = $years;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] default 10. */
        public function setMaxYears(int $years): self
        {
            $this->values['maxYears'] = $years;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] years between periods, default 1. */
        public function setYearsStep(int $step): self
        {
            $this->values['yearsStep'] = $step;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] the periods, in place of min, max and step. */
        public function setYears(array $years): self
        {
            $this->values['years'] = $years;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] required: cost of the minimum period. */
        public function setRegisterPrice(float $price): self
        {
            $this->values['registerPrice'] = $price;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] null: renewals not offered. */
        public function setRenewPrice(?float $price): self
        {
            $this->values['renewPrice'] = $price;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] null: transfers not offered. */
        public function setTransferPrice(?float $price): self
        {
            $this->values['transferPrice'] = $price;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] the grace period in days. */
        public function setGraceFeeDays(int $days): self
        {
            $this->values['graceFeeDays'] = $days;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] null: no grace period. */
        public function setGraceFeePrice(?float $price): self
        {
            $this->values['graceFeePrice'] = $price;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] the redemption period in days. */
        public function setRedemptionFeeDays(int $days): self
        {
            $this->values['redemptionFeeDays'] = $days;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] null: no redemption period. */
        public function setRedemptionFeePrice(?float $price): self
        {
            $this->values['redemptionFeePrice'] = $price;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] required: an ISO 4217 code WHMCS has. */
        public function setCurrency(string $currency): self
        {
            $this->values['currency'] = $currency;
            return $this;
        }

        /** [dev:domain-registrars/tld-pricing-sync] whether a transfer needs an EPP code. */
        public function setEppRequired(bool $required): self
        {
            $this->values['eppRequired'] = $required;
            return $this;
        }
    }
}

namespace WHMCS\Domain\Registrar {

    use WHMCS\Carbon;

    /**
     * [dev:domain-registrars/domain-information] [classes] GetDomainInformation's answer:
     * every setter returns $this, every date is a WHMCS\Carbon. The registration statuses are
     * the registry's, not WHMCS's domain statuses: there is no pending and no cancelled one.
     * The constants' values are this harness's.
     */
    class Domain
    {
        /** [classes] */
        public const STATUS_ACTIVE = 'Active';
        /** [classes] */
        public const STATUS_ARCHIVED = 'Archived';
        /** [classes] */
        public const STATUS_DELETED = 'Deleted';
        /** [classes] */
        public const STATUS_EXPIRED = 'Expired';
        /** [classes] */
        public const STATUS_INACTIVE = 'Inactive';
        /** [classes] */
        public const STATUS_SUSPENDED = 'Suspended';
        /** [classes] */
        public const STATUS_PENDING_DELETE = 'Pending Delete';

        private ?string $domain = null;
        private array $nameservers = [];
        private ?string $registrationStatus = null;
        private ?bool $transferLock = null;
        private ?Carbon $transferLockExpiryDate = null;
        private ?Carbon $expiryDate = null;
        private ?bool $restorable = null;
        private ?bool $idProtectionStatus = null;
        private ?bool $dnsManagementStatus = null;
        private ?bool $emailForwardingStatus = null;
        private ?bool $isIrtpEnabled = null;
        private ?bool $irtpOptOutStatus = null;
        private ?bool $irtpTransferLock = null;
        private ?Carbon $irtpTransferLockExpiryDate = null;
        private ?bool $domainContactChangePending = null;
        private ?bool $pendingSuspension = null;
        private ?Carbon $domainContactChangeExpiryDate = null;
        private ?string $registrantEmailAddress = null;
        private array $irtpVerificationTriggerFields = [];

        /** [dev:domain-registrars/domain-information] the domain name. */
        public function setDomain(string $domain): self
        {
            $this->domain = $domain;
            return $this;
        }

        /** [classes] */
        public function getDomain(): ?string
        {
            return $this->domain;
        }

        /** [dev:domain-registrars/domain-information] the nameservers, keyed ns1..ns5. */
        public function setNameservers(array $nameservers): self
        {
            $this->nameservers = $nameservers;
            return $this;
        }

        /** [classes] */
        public function getNameservers(): array
        {
            return $this->nameservers;
        }

        /** [dev:domain-registrars/domain-information] one of the STATUS_ constants. */
        public function setRegistrationStatus(string $status): self
        {
            $this->registrationStatus = $status;
            return $this;
        }

        /** [classes] */
        public function getRegistrationStatus(): ?string
        {
            return $this->registrationStatus;
        }

        /** [dev:domain-registrars/domain-information] the registrar lock. */
        public function setTransferLock(bool $locked): self
        {
            $this->transferLock = $locked;
            return $this;
        }

        /** [classes] */
        public function getTransferLock(): ?bool
        {
            return $this->transferLock;
        }

        /** [dev:domain-registrars/domain-information] null when the lock does not expire. */
        public function setTransferLockExpiryDate(?Carbon $date): self
        {
            $this->transferLockExpiryDate = $date;
            return $this;
        }

        /** [classes] */
        public function getTransferLockExpiryDate(): ?Carbon
        {
            return $this->transferLockExpiryDate;
        }

        /** [dev:domain-registrars/domain-information] Carbon::createFromFormat('Y-m-d', ...). */
        public function setExpiryDate(?Carbon $date): self
        {
            $this->expiryDate = $date;
            return $this;
        }

        /** [classes] */
        public function getExpiryDate(): ?Carbon
        {
            return $this->expiryDate;
        }

        /** [dev:domain-registrars/domain-information] whether an expired name can be restored. */
        public function setRestorable(bool $restorable): self
        {
            $this->restorable = $restorable;
            return $this;
        }

        /** [classes] */
        public function getRestorable(): ?bool
        {
            return $this->restorable;
        }

        /** [dev:domain-registrars/domain-information] ID protection on or off. */
        public function setIdProtectionStatus(bool $enabled): self
        {
            $this->idProtectionStatus = $enabled;
            return $this;
        }

        /** [classes] */
        public function getIdProtectionStatus(): ?bool
        {
            return $this->idProtectionStatus;
        }

        /** [dev:domain-registrars/domain-information] the DNS management addon on or off. */
        public function setDnsManagementStatus(bool $enabled): self
        {
            $this->dnsManagementStatus = $enabled;
            return $this;
        }

        /** [classes] */
        public function getDnsManagementStatus(): ?bool
        {
            return $this->dnsManagementStatus;
        }

        /** [dev:domain-registrars/domain-information] the e-mail forwarding addon on or off. */
        public function setEmailForwardingStatus(bool $enabled): self
        {
            $this->emailForwardingStatus = $enabled;
            return $this;
        }

        /** [classes] */
        public function getEmailForwardingStatus(): ?bool
        {
            return $this->emailForwardingStatus;
        }

        /** [dev:domain-registrars/domain-information] whether ICANN's transfer policy applies. */
        public function setIsIrtpEnabled(bool $enabled): self
        {
            $this->isIrtpEnabled = $enabled;
            return $this;
        }

        /** [classes] */
        public function getIsIrtpEnabled(): ?bool
        {
            return $this->isIrtpEnabled;
        }

        /** [dev:domain-registrars/domain-information] the registrant opted out of the 60-day lock. */
        public function setIrtpOptOutStatus(bool $optedOut): self
        {
            $this->irtpOptOutStatus = $optedOut;
            return $this;
        }

        /** [classes] */
        public function getIrtpOptOutStatus(): ?bool
        {
            return $this->irtpOptOutStatus;
        }

        /** [dev:domain-registrars/domain-information] the 60-day lock is on. */
        public function setIrtpTransferLock(bool $locked): self
        {
            $this->irtpTransferLock = $locked;
            return $this;
        }

        /** [classes] */
        public function getIrtpTransferLock(): ?bool
        {
            return $this->irtpTransferLock;
        }

        /** [dev:domain-registrars/domain-information] when the 60-day lock ends. */
        public function setIrtpTransferLockExpiryDate(?Carbon $date): self
        {
            $this->irtpTransferLockExpiryDate = $date;
            return $this;
        }

        /** [classes] */
        public function getIrtpTransferLockExpiryDate(): ?Carbon
        {
            return $this->irtpTransferLockExpiryDate;
        }

        /** [dev:domain-registrars/domain-information] a registrant change awaits confirmation. */
        public function setDomainContactChangePending(bool $pending): self
        {
            $this->domainContactChangePending = $pending;
            return $this;
        }

        /** [classes] */
        public function getDomainContactChangePending(): ?bool
        {
            return $this->domainContactChangePending;
        }

        /** [dev:domain-registrars/domain-information] the registry will suspend the name unless confirmed. */
        public function setPendingSuspension(bool $pending): self
        {
            $this->pendingSuspension = $pending;
            return $this;
        }

        /** [classes] */
        public function getPendingSuspension(): ?bool
        {
            return $this->pendingSuspension;
        }

        /** [dev:domain-registrars/domain-information] when the pending registrant change lapses. */
        public function setDomainContactChangeExpiryDate(?Carbon $date): self
        {
            $this->domainContactChangeExpiryDate = $date;
            return $this;
        }

        /** [classes] */
        public function getDomainContactChangeExpiryDate(): ?Carbon
        {
            return $this->domainContactChangeExpiryDate;
        }

        /** [dev:domain-registrars/domain-information] the registrant's address at the registry. */
        public function setRegistrantEmailAddress(string $email): self
        {
            $this->registrantEmailAddress = $email;
            return $this;
        }

        /** [classes] */
        public function getRegistrantEmailAddress(): ?string
        {
            return $this->registrantEmailAddress;
        }

        /** [dev:domain-registrars/domain-information] the contact fields whose change triggers verification. */
        public function setIrtpVerificationTriggerFields(array $fields): self
        {
            $this->irtpVerificationTriggerFields = $fields;
            return $this;
        }

        /** [classes] */
        public function getIrtpVerificationTriggerFields(): array
        {
            return $this->irtpVerificationTriggerFields;
        }
    }
}
