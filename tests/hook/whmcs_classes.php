<?php
/**
 * Stand-ins for the WHMCS classes the hook file and the registrar module use: Capsule backed
 * by a SQLite file (OPBRIDGE_HARNESS_DB) instead of WHMCS's MySQL connection, Setting with a
 * fixed pair of tblconfiguration settings, and the module's exception and lookup classes.
 */

declare(strict_types=1);

namespace WHMCS\Database {

    use PDO;

    final class Connection
    {
        private static ?PDO $pdo = null;

        public function getPdo(): PDO
        {
            if (self::$pdo === null) {
                $path = getenv('OPBRIDGE_HARNESS_DB') ?: sys_get_temp_dir() . '/opbridge-harness.db';
                self::$pdo = new PDO('sqlite:' . $path, null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
            }
            return self::$pdo;
        }
    }

    final class Capsule
    {
        public static function connection(): Connection
        {
            return new Connection();
        }
    }
}

namespace WHMCS\Config {

    final class Setting
    {
        private const VALUES = [
            'SystemURL' => 'https://billing.example.test/',
            'Version' => '8.7.2-release.1',
        ];

        public static function getValue(string $name): mixed
        {
            return self::VALUES[$name] ?? null;
        }
    }
}

namespace WHMCS\Exception\Module {

    /** Stand-in for WHMCS's exception a registrar's config_validate throws to refuse settings. */
    class InvalidConfiguration extends \Exception
    {
    }
}

namespace WHMCS\Domains\DomainLookup {

    /**
     * Stand-in for WHMCS's lookup result: the setters a registrar's CheckAvailability uses,
     * with the status constants WHMCS defines, and a toArray() for the harness's report.
     */
    class SearchResult
    {
        public const STATUS_REGISTERED = 'registered';
        public const STATUS_NOT_REGISTERED = 'available';
        public const STATUS_RESERVED = 'reserved';
        public const STATUS_TLD_NOT_SUPPORTED = 'unknown';

        private string $status = '';
        private bool $premium = false;
        private array $pricing = [];

        public function __construct(private string $sld, private string $tld)
        {
        }

        public function setStatus(string $status): void
        {
            $this->status = $status;
        }

        public function setPremiumDomain(bool $premium): void
        {
            $this->premium = $premium;
        }

        public function setPremiumCostPricing(array $pricing): void
        {
            $this->pricing = $pricing;
        }

        public function toArray(): array
        {
            return ['sld' => $this->sld, 'tld' => $this->tld, 'status' => $this->status,
                    'premium' => $this->premium, 'pricing' => $this->pricing];
        }
    }

    /** Stand-in for WHMCS's ResultsList (an ArrayObject of SearchResults in WHMCS too). */
    class ResultsList extends \ArrayObject
    {
        public function toArray(): array
        {
            return array_map(static fn (SearchResult $result): array => $result->toArray(), $this->getArrayCopy());
        }
    }
}

namespace WHMCS {

    /** Stand-in for WHMCS's Carbon (a DateTime with Carbon's constructors) as GetDomainInformation uses it. */
    class Carbon extends \DateTimeImmutable
    {
    }
}

namespace WHMCS\Domain\Registrar {

    /**
     * Stand-in for WHMCS 7.6+'s registrar Domain: the fluent setters a GetDomainInformation
     * answer uses, the status constants, and a toArray() for the harness's report.
     */
    class Domain
    {
        public const STATUS_ACTIVE = 'Active';
        public const STATUS_PENDING = 'Pending';
        public const STATUS_EXPIRED = 'Expired';
        public const STATUS_CANCELLED = 'Cancelled';

        private array $values = [];

        public function __call(string $method, array $arguments): self
        {
            if (!str_starts_with($method, 'set') || count($arguments) !== 1) {
                throw new \BadMethodCallException("Domain::{$method} is not a setter WHMCS has");
            }
            $value = $arguments[0];
            $this->values[lcfirst(substr($method, 3))] = $value instanceof \DateTimeInterface ? $value->format('Y-m-d') : $value;
            return $this;
        }

        public function toArray(): array
        {
            return $this->values;
        }
    }
}
