<?php
/**
 * opbridge: the real outcome of a write, waited for by the registrar module and shown by
 * the hook file, so that WHMCS never shows what Openprovider does not hold.
 *
 * After opbridge acknowledged a write, the module asks opbridge once how it ended
 * (GET /api/v1/events/<webhook id>/outcome?wait=N), waiting at most the module's
 * "Outcome wait" setting, and every write of one WHMCS request spends from one budget.
 *   done    -> success; the hooks below write Openprovider's expiry into WHMCS
 *   dead    -> error with Openprovider's sentence: WHMCS keeps the domain as it was, shows
 *              the reason and files the action in its Module Queue (Utilities > Module Queue)
 *   pending -> success, because WHMCS documents no "pending" answer; the hooks then show
 *              the domain as Pending Registration (a renewal keeps its old expiry) and hold
 *              back the customer's confirmation. opbridge writes the outcome into WHMCS
 *              when it comes (Active and the expiry, or the status before and a mail to
 *              the admins) and sends the held-back confirmation with SendEmail then.
 * What the module learned is kept for the rest of the request only: the hooks that read it
 * (AfterRegistrarRegistration, AfterRegistrarRenewal, EmailPreSend) run in the same request,
 * right after WHMCS recorded the module's success.
 */

declare(strict_types=1);

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

const OPBRIDGE_OUTCOME_WAIT = 8;
// opbridge waits at most this long; WHMCS's page (and PHP's time limit) must outlast it.
const OPBRIDGE_OUTCOME_WAIT_MAX = 20;
// The confirmations WHMCS sends after a registrar call succeeded, by the action they claim.
const OPBRIDGE_CONFIRMATIONS = [
    'Domain Registration Confirmation' => 'register',
    'Domain Transfer Initiated' => 'transfer',
    'Domain Renewal Confirmation' => 'renew',
];

/**
 * The seconds this WHMCS request may still wait for outcomes. The first write of a request
 * starts the budget; later writes of the same request (an order of ten domains, a cron run
 * of renewals) spend what is left, so the request never waits ten times.
 */
function opbridge_wait_left(float $budget): float
{
    static $deadline = null;
    $deadline ??= microtime(true) + $budget;
    return max(0.0, $deadline - microtime(true));
}

/**
 * The module setting, bounded: 0 asks once without waiting.
 */
function opbridge_wait_setting(array $params): float
{
    $value = trim((string) ($params['OutcomeWait'] ?? ''));
    $seconds = $value === '' || !is_numeric($value) ? (float) OPBRIDGE_OUTCOME_WAIT : (float) $value;
    return max(0.0, min($seconds, (float) OPBRIDGE_OUTCOME_WAIT_MAX));
}

/**
 * What the module learned of each domain's write in this request, by WHMCS domain id.
 *
 * @return array<int, array{action: string, state: string, expiry_date: ?string, expiry_before: ?string}>
 */
function &opbridge_outcome_notes(): array
{
    static $notes = [];
    return $notes;
}

function opbridge_note_outcome(int $domainId, array $note): void
{
    if ($domainId > 0) {
        $notes = &opbridge_outcome_notes();
        $notes[$domainId] = $note;
    }
}

/**
 * Asks opbridge how the event ended, waiting what is left of the request's budget.
 * Returns opbridge's answer (state done, dead or pending), or ['state' => 'unknown',
 * 'reason' => ...] when opbridge cannot be asked; never throws.
 */
function opbridge_outcome(array $settings, array $params, string $action, string $webhookId, float $wait): array
{
    $masks = opbridge_masks($settings);
    $url = "{$settings['admin_url']}/api/v1/events/" . rawurlencode($webhookId) . '/outcome?wait=' . round($wait, 2);
    try {
        if ($settings['admin_url'] === '' || $settings['token'] === '') {
            $answer = ['state' => 'unknown', 'reason' => 'the module has no admin API URL or token'];
            opbridge_log($action, "GET {$url}", $answer['reason'], 'outcome unknown', $masks);
            return $answer;
        }
        // The wait is opbridge's; the request may take that long plus the usual margin.
        $target = ['timeout' => (int) ceil($wait) + $settings['timeout']] + $settings;
        $response = opbridge_http('GET', $url, ['Accept: application/json', "Authorization: Bearer {$settings['token']}"], null, $target);
        $decoded = json_decode($response['body'], true);
        $answer = $response['status'] === 200 && is_array($decoded) && isset($decoded['state'])
            ? $decoded
            : ['state' => 'unknown', 'reason' => opbridge_http_summary($response)];
        opbridge_log($action, "GET {$url}", $answer, "outcome {$answer['state']}", $masks);
        return $answer;
    } catch (Throwable $error) {
        $answer = ['state' => 'unknown', 'reason' => $error->getMessage()];
        opbridge_log($action, "GET {$url}", $answer['reason'], 'outcome unknown', $masks);
        return $answer;
    }
}

/**
 * The module's answer to WHMCS for an event's outcome, noting it for the hooks.
 *
 * @param true|string $success the success value WHMCS expects from this function
 */
function opbridge_outcome_answer(array $params, string $wrote, array $outcome, $success, ?string $expiryBefore): array
{
    $state = (string) ($outcome['state'] ?? 'unknown');
    if ($state === 'dead') {
        return ['error' => "Openprovider refused the {$wrote}: " . (string) ($outcome['reason'] ?? 'no reason given')];
    }
    opbridge_note_outcome((int) ($params['domainid'] ?? 0), [
        'action' => (string) ($outcome['action'] ?? ''),
        // Unknown (opbridge could not be asked) is shown as pending: nothing is claimed.
        'state' => $state === 'done' ? 'done' : 'pending',
        'expiry_date' => opbridge_date($outcome['expiry_date'] ?? null),
        'whmcs_status' => is_string($outcome['whmcs_status'] ?? null) ? $outcome['whmcs_status'] : null,
        'expiry_before' => $expiryBefore,
    ]);
    return ['success' => $success];
}

// ---------------------------------------------------------------------------------------
// Hooks: what WHMCS shows once the module answered (registered by the hook file)
// ---------------------------------------------------------------------------------------

/**
 * AfterRegistrarRegistration / AfterRegistrarRenewal: WHMCS has just written Active and an
 * expiry it computed itself (today or the old expiry, plus the years). Written over with
 * what Openprovider holds, or, while Openprovider has not answered, with what is true now:
 * Pending Registration, or the renewal's old expiry.
 */
function opbridge_show_outcome(array $vars): void
{
    $params = is_array($vars['params'] ?? null) ? $vars['params'] : [];
    $domainId = (int) ($params['domainid'] ?? 0);
    $note = opbridge_outcome_notes()[$domainId] ?? null;
    if ($note === null || !in_array($note['action'], ['register', 'renew'], true)) {
        return;
    }
    $update = ['domainid' => $domainId];
    if ($note['state'] === 'done' && $note['expiry_date'] !== null) {
        $update['expirydate'] = $note['expiry_date'];
        if ($note['action'] === 'register' && $note['whmcs_status'] !== null) {
            $update['status'] = $note['whmcs_status'];
        }
    } elseif ($note['state'] === 'pending') {
        if ($note['action'] === 'register') {
            $update['status'] = 'Pending Registration';
        } elseif ($note['expiry_before'] !== null) {
            $update['expirydate'] = $note['expiry_before'];
        }
    }
    if (count($update) > 1) {
        $written = localAPI('UpdateClientDomain', $update);
        opbridge_log('show outcome', $update, $written, $note['state']);
    }
}

/**
 * EmailPreSend: the confirmation of a registration, transfer or renewal whose outcome
 * opbridge has not seen yet is held back; opbridge sends it (SendEmail) once it is done.
 */
function opbridge_hold_confirmation(array $vars): array
{
    try {
        $action = OPBRIDGE_CONFIRMATIONS[(string) ($vars['messagename'] ?? '')] ?? null;
        $note = $action === null ? null : (opbridge_outcome_notes()[(int) ($vars['relid'] ?? 0)] ?? null);
        if ($note === null || $note['state'] !== 'pending') {
            return [];
        }
        opbridge_log('EmailPreSend', (string) $vars['messagename'] . ' for domain ' . (int) $vars['relid'],
            'held back until Openprovider has done it; opbridge sends it then', 'abortsend');
        return ['abortsend' => true];
    } catch (Throwable $error) {
        opbridge_log('EmailPreSend', 'hook failed', get_class($error) . ': ' . $error->getMessage());
        return [];
    }
}
