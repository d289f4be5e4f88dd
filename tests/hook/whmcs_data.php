<?php
/**
 * The WHMCS installation the harness pretends to be, in WHMCS's own shapes: numbers and
 * flags as strings, unset dates as 0000-00-00, order line items as GetOrders builds them.
 */

declare(strict_types=1);

return [
    'clients' => [
        '7' => [
            'userid' => '7', 'id' => '7', 'firstname' => 'Jan', 'lastname' => 'de Vries',
            'fullname' => 'Jan de Vries', 'companyname' => 'Voorbeeld B.V.', 'email' => 'jan@example.nl',
            'address1' => 'Keizersgracht 1', 'address2' => '', 'city' => 'Amsterdam',
            'fullstate' => 'Noord-Holland', 'state' => 'Noord-Holland', 'postcode' => '1015 CJ',
            'countrycode' => 'NL', 'country' => 'NL', 'phonecc' => '31', 'phonenumber' => '201234567',
            'phonenumberformatted' => '+31.201234567', 'language' => 'dutch', 'status' => 'Active',
            'password' => '$2y$10$not-to-be-forwarded',
        ],
    ],
    'domains' => [
        '11' => [
            'id' => '11', 'userid' => '7', 'orderid' => '21', 'regtype' => 'Register',
            'domainname' => 'voorbeeld.nl', 'registrar' => 'openprovider', 'regperiod' => '1',
            'firstpaymentamount' => '9.95', 'recurringamount' => '9.95', 'paymentmethod' => 'banktransfer',
            'paymentmethodname' => 'Bank Transfer', 'regdate' => '2026-01-10', 'expirydate' => '0000-00-00',
            'nextduedate' => '2027-01-10', 'status' => 'Pending', 'subscriptionid' => '', 'promoid' => '0',
            'dnsmanagement' => '0', 'emailforwarding' => '0', 'idprotection' => '1', 'donotrenew' => '0',
            'notes' => '',
        ],
        '12' => [
            'id' => '12', 'userid' => '7', 'orderid' => '21', 'regtype' => 'Transfer',
            'domainname' => 'bücher.example', 'registrar' => 'openprovider', 'regperiod' => '2',
            'firstpaymentamount' => '19.90', 'recurringamount' => '19.90', 'paymentmethod' => 'banktransfer',
            'paymentmethodname' => 'Bank Transfer', 'regdate' => '2026-01-10', 'expirydate' => '2026-09-30',
            'nextduedate' => '2026-09-20', 'status' => 'Pending Transfer', 'subscriptionid' => '', 'promoid' => '0',
            'dnsmanagement' => '1', 'emailforwarding' => '0', 'idprotection' => '0', 'donotrenew' => '1',
            'notes' => '',
        ],
        '13' => [
            'id' => '13', 'userid' => '7', 'orderid' => '21', 'regtype' => 'Register',
            'domainname' => 'elsewhere.com', 'registrar' => 'enom', 'regperiod' => '1',
            'firstpaymentamount' => '12.00', 'recurringamount' => '12.00', 'paymentmethod' => 'banktransfer',
            'paymentmethodname' => 'Bank Transfer', 'regdate' => '2026-01-10', 'expirydate' => '0000-00-00',
            'nextduedate' => '2027-01-10', 'status' => 'Pending', 'subscriptionid' => '', 'promoid' => '0',
            'dnsmanagement' => '0', 'emailforwarding' => '0', 'idprotection' => '0', 'donotrenew' => '0',
            'notes' => '',
        ],
        '14' => [
            'id' => '14', 'userid' => '7', 'orderid' => '5', 'regtype' => 'Register',
            'domainname' => 'bestaand.nl', 'registrar' => 'openprovider', 'regperiod' => '1',
            'firstpaymentamount' => '9.95', 'recurringamount' => '9.95', 'paymentmethod' => 'banktransfer',
            'paymentmethodname' => 'Bank Transfer', 'regdate' => '2024-03-01', 'expirydate' => '2026-03-01',
            'nextduedate' => '2026-02-19', 'status' => 'Active', 'subscriptionid' => '', 'promoid' => '0',
            'dnsmanagement' => '0', 'emailforwarding' => '0', 'idprotection' => '1', 'donotrenew' => '0',
            'notes' => '',
        ],
    ],
    'orders' => [
        '21' => [
            'id' => '21', 'ordernum' => '4830114221', 'userid' => '7', 'contactid' => '0', 'requestor_id' => '7',
            'date' => '2026-01-10 10:00:00', 'nameservers' => 'ns1.voorbeeld.nl,NS2.voorbeeld.nl',
            'transfersecret' => '', 'renewals' => '', 'promocode' => '', 'amount' => '41.85',
            'paymentmethod' => 'banktransfer', 'invoiceid' => '31', 'status' => 'Pending',
            'lineitems' => ['lineitem' => [
                ['type' => 'domain', 'relid' => '11', 'producttype' => 'Domain', 'product' => 'Register',
                 'domain' => 'voorbeeld.nl', 'billingcycle' => '1', 'amount' => '€9.95 EUR', 'status' => 'Pending',
                 'dnsmanagement' => '0', 'emailforwarding' => '0', 'idprotection' => '1'],
                ['type' => 'domain', 'relid' => '12', 'producttype' => 'Domain', 'product' => 'Transfer',
                 'domain' => 'bücher.example', 'billingcycle' => '2', 'amount' => '€19.90 EUR', 'status' => 'Pending Transfer',
                 'dnsmanagement' => '1', 'emailforwarding' => '0', 'idprotection' => '0'],
                ['type' => 'domain', 'relid' => '13', 'producttype' => 'Domain', 'product' => 'Register',
                 'domain' => 'elsewhere.com', 'billingcycle' => '1', 'amount' => '€12.00 EUR', 'status' => 'Pending',
                 'dnsmanagement' => '0', 'emailforwarding' => '0', 'idprotection' => '0'],
            ]],
        ],
        '22' => [
            'id' => '22', 'ordernum' => '4830114222', 'userid' => '7', 'contactid' => '0', 'requestor_id' => '7',
            'date' => '2026-01-11 10:00:00', 'nameservers' => '', 'transfersecret' => '', 'renewals' => '',
            'promocode' => '', 'amount' => '12.00', 'paymentmethod' => 'banktransfer', 'invoiceid' => '0',
            'status' => 'Pending',
            'lineitems' => ['lineitem' => [
                ['type' => 'domain', 'relid' => '13', 'producttype' => 'Domain', 'product' => 'Register',
                 'domain' => 'elsewhere.com', 'billingcycle' => '1', 'amount' => '€12.00 EUR', 'status' => 'Pending',
                 'dnsmanagement' => '0', 'emailforwarding' => '0', 'idprotection' => '0'],
            ]],
        ],
    ],
    'invoices' => [
        '31' => [
            'invoiceid' => '31', 'invoicenum' => '', 'userid' => '7', 'date' => '2026-01-10', 'duedate' => '2026-01-10',
            'datepaid' => '2026-01-10 10:05:00', 'subtotal' => '41.85', 'total' => '41.85', 'balance' => '0.00',
            'status' => 'Paid', 'paymentmethod' => 'banktransfer',
            'items' => ['item' => [
                ['id' => '101', 'type' => 'DomainRegister', 'relid' => '11', 'description' => 'Domain Registration - voorbeeld.nl - 1 Year/s', 'amount' => '9.95', 'taxed' => '0'],
                ['id' => '102', 'type' => 'DomainTransfer', 'relid' => '12', 'description' => 'Domain Transfer - bücher.example - 2 Year/s', 'amount' => '19.90', 'taxed' => '0'],
                ['id' => '103', 'type' => 'DomainRegister', 'relid' => '13', 'description' => 'Domain Registration - elsewhere.com - 1 Year/s', 'amount' => '12.00', 'taxed' => '0'],
                ['id' => '104', 'type' => 'Hosting', 'relid' => '3', 'description' => 'Web hosting', 'amount' => '0.00', 'taxed' => '0'],
            ]],
        ],
        '32' => [
            'invoiceid' => '32', 'invoicenum' => '', 'userid' => '7', 'date' => '2026-02-01', 'duedate' => '2026-02-19',
            'datepaid' => '2026-02-02 09:00:00', 'subtotal' => '14.95', 'total' => '14.95', 'balance' => '0.00',
            'status' => 'Paid', 'paymentmethod' => 'banktransfer',
            'items' => ['item' => [
                ['id' => '201', 'type' => 'Domain', 'relid' => '14', 'description' => 'Domain Renewal - bestaand.nl - 1 Year/s (01/03/2026 - 28/02/2027)', 'amount' => '9.95', 'taxed' => '0'],
                ['id' => '202', 'type' => 'DomainAddonIDP', 'relid' => '14', 'description' => 'ID Protection - bestaand.nl', 'amount' => '5.00', 'taxed' => '0'],
            ]],
        ],
    ],
];
