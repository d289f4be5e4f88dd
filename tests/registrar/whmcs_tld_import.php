<?php
/**
 * Stand-ins for the classes WHMCS hands GetTldPricing, with only the members WHMCS
 * publishes. Source of every member: WHMCS developer documentation, Domain Registrars >
 * "TLD & Pricing Sync" (GitHub WHMCS/developer-docs, domain-registrars/tld-pricing-sync.md),
 * whose table lists each setter, its type and whether it is required, and whose example
 * chains them ("All the set methods can be chained") and appends with $results[] = $item.
 * The values set are kept private; the harness reads them by reflection, as no getter is
 * published.
 */

declare(strict_types=1);

namespace WHMCS\Results {

    /** tld-pricing-sync.md: "a ResultList object"; `new ResultsList`, `$results[] = $item`. */
    class ResultsList extends \ArrayObject
    {
    }
}

namespace WHMCS\Domain\TopLevel {

    /** tld-pricing-sync.md: `(new ImportItem)` and the setters of its table. */
    class ImportItem
    {
        private array $values = [];

        /** tld-pricing-sync.md: setExtension, string, required (".com", ".co.uk"). */
        public function setExtension(string $extension): self
        {
            return $this->set('extension', $extension);
        }

        /** tld-pricing-sync.md: setMinYears, int, optional. */
        public function setMinYears(int $years): self
        {
            return $this->set('minYears', $years);
        }

        /** tld-pricing-sync.md: setMaxYears, int, optional. */
        public function setMaxYears(int $years): self
        {
            return $this->set('maxYears', $years);
        }

        /** tld-pricing-sync.md: setYearsStep, int, optional. */
        public function setYearsStep(int $step): self
        {
            return $this->set('yearsStep', $step);
        }

        /** tld-pricing-sync.md: setYears, array, optional. */
        public function setYears(array $years): self
        {
            return $this->set('years', $years);
        }

        /** tld-pricing-sync.md: setRegisterPrice, float, required. */
        public function setRegisterPrice(float $price): self
        {
            return $this->set('registerPrice', $price);
        }

        /** tld-pricing-sync.md: setRenewPrice, float, optional; null if renewals are not supported. */
        public function setRenewPrice(?float $price): self
        {
            return $this->set('renewPrice', $price);
        }

        /** tld-pricing-sync.md: setTransferPrice, float, optional; null if transfers are not supported. */
        public function setTransferPrice(?float $price): self
        {
            return $this->set('transferPrice', $price);
        }

        /** tld-pricing-sync.md: setGraceFeeDays, int, optional. */
        public function setGraceFeeDays(int $days): self
        {
            return $this->set('graceFeeDays', $days);
        }

        /** tld-pricing-sync.md: setGraceFeePrice, float, optional; null if not supported. */
        public function setGraceFeePrice(?float $price): self
        {
            return $this->set('graceFeePrice', $price);
        }

        /** tld-pricing-sync.md: setRedemptionFeeDays, int, optional. */
        public function setRedemptionFeeDays(int $days): self
        {
            return $this->set('redemptionFeeDays', $days);
        }

        /** tld-pricing-sync.md: setRedemptionFeePrice, float, optional; null if not supported. */
        public function setRedemptionFeePrice(?float $price): self
        {
            return $this->set('redemptionFeePrice', $price);
        }

        /** tld-pricing-sync.md: setCurrency, string, required (ISO 4217). */
        public function setCurrency(string $currency): self
        {
            return $this->set('currency', $currency);
        }

        /** tld-pricing-sync.md: setEppRequired, boolean, optional. */
        public function setEppRequired(bool $required): self
        {
            return $this->set('eppRequired', $required);
        }

        private function set(string $name, mixed $value): self
        {
            $this->values[$name] = $value;
            return $this;
        }
    }
}
