<?php
/**
 * The two WHMCS classes the hook file uses, backed by a SQLite file (OPBRIDGE_HARNESS_DB)
 * instead of WHMCS's MySQL connection, and a fixed pair of tblconfiguration settings.
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
