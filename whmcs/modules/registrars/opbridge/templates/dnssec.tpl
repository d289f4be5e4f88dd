{* The DNSSEC page of an opbridge domain (opbridge_DNSSEC). Every value is escaped. *}
<h3>DNSSEC keys of {$domain|escape:'html'}</h3>

{if $error}
    <div class="alert alert-danger">{$error|escape:'html'}</div>
{/if}
{if $message}
    <div class="alert alert-success">{$message|escape:'html'}</div>
{/if}
{if $refusals}
    <div class="alert alert-warning">
        <ul>
        {foreach $refusals as $refusal}
            <li>{$refusal|escape:'html'}</li>
        {/foreach}
        </ul>
    </div>
{/if}

{if $tld.allowed}
    <p>The registry takes algorithms {foreach $tld.algorithms as $alg}{$alg|escape:'html'}{if !$alg@last}, {/if}{/foreach}{if $tld.max_keys}, at most {$tld.max_keys|escape:'html'} keys{/if}.</p>
{else}
    <p>The registry of this domain takes no DNSSEC keys.</p>
{/if}

<table class="table table-striped">
    <thead>
        <tr><th>Flags</th><th>Algorithm</th><th>Protocol</th><th>Public key</th><th></th></tr>
    </thead>
    <tbody>
    {foreach $keys as $key}
        <tr>
            <td>{$key.flags|escape:'html'}</td>
            <td>{$key.alg|escape:'html'}</td>
            <td>{$key.protocol|escape:'html'}</td>
            <td><code style="word-break: break-all">{$key.pub_key|escape:'html'}</code></td>
            <td>
            {if !$key.readonly}
                <form method="post" action="clientarea.php?action=domaindetails&amp;id={$domainid|escape:'url'}&amp;modop=custom&amp;a=DNSSEC">
                    <input type="hidden" name="action" value="remove">
                    <input type="hidden" name="flags" value="{$key.flags|escape:'html'}">
                    <input type="hidden" name="alg" value="{$key.alg|escape:'html'}">
                    <input type="hidden" name="protocol" value="{$key.protocol|escape:'html'}">
                    <input type="hidden" name="pub_key" value="{$key.pub_key|escape:'html'}">
                    <button type="submit" class="btn btn-default btn-sm">Remove</button>
                </form>
            {/if}
            </td>
        </tr>
    {foreachelse}
        <tr><td colspan="5">No DNSSEC keys: DNSSEC is off for this domain.</td></tr>
    {/foreach}
    </tbody>
</table>

{if $tld.allowed}
<h4>Add a key</h4>
<form method="post" action="clientarea.php?action=domaindetails&amp;id={$domainid|escape:'url'}&amp;modop=custom&amp;a=DNSSEC">
    <input type="hidden" name="action" value="add">
    <input type="hidden" name="protocol" value="3">
    <div class="form-group">
        <label for="dnssec-flags">Flags</label>
        <select name="flags" id="dnssec-flags" class="form-control">
            <option value="257">257 (key-signing key)</option>
            <option value="256">256 (zone-signing key)</option>
        </select>
    </div>
    <div class="form-group">
        <label for="dnssec-alg">Algorithm</label>
        <select name="alg" id="dnssec-alg" class="form-control">
        {foreach $tld.algorithms as $alg}
            <option value="{$alg|escape:'html'}">{$alg|escape:'html'}</option>
        {/foreach}
        </select>
    </div>
    <div class="form-group">
        <label for="dnssec-pub-key">Public key</label>
        <textarea name="pub_key" id="dnssec-pub-key" class="form-control" rows="3"></textarea>
    </div>
    <button type="submit" class="btn btn-primary">Add key</button>
</form>
{/if}
