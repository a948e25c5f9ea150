#Requires -Version 7.5
<#
.SYNOPSIS
    customer-key's PowerShell host: runs allow-listed Exchange Online or SharePoint Online
    cmdlets for ExchangePowerShellTransport and SharePointPowerShellTransport, one JSON line
    at a time.

.NOTES
    NOT YET RUN AGAINST A REAL pwsh. The project's machines cannot install PowerShell; the
    transports are tested against a stand-in that speaks the same protocol
    (docs/powershell-transports.md). Report what breaks.

    Protocol: one JSON object per line on stdin and stdout, UTF-8.
      started : {"id":0,"ok":true,"value":[{"protocol":1,"mode":"exchange","psVersion":"7.5.0"}],"warnings":[]}
      request : {"id":1,"op":"connect"|"invoke","cmdlet":"Get-Mailbox","parameters":{"Identity":"x"}}
      response: {"id":1,"ok":true,"value":[...],"warnings":["..."]}
                {"id":1,"ok":false,"value":[],"warnings":[],"error":{"errorId","exceptionClass","reason","category","message"}}

    Safety: no parameter value ever becomes script text. The request is parsed as data
    (ConvertFrom-Json -AsHashtable -DateKind String, so a date-like string stays a string, which
    is why 7.5 is required), the cmdlet name must be on this mode's allow-list, the command is
    resolved with Get-Command and the parameters are splatted (& $command @parameters).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [ValidateSet('exchange', 'sharepoint')]
    [string] $Mode
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'
$DebugPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'

# Own UTF-8 streams over the raw handles: the console's encodings are left alone. Nothing else
# reads stdin: -File does not turn it into pipeline input, and -NonInteractive makes a prompt
# (e.g. a missing mandatory parameter) fail instead of reading a protocol line.
$utf8 = [System.Text.UTF8Encoding]::new($false)
$reader = [System.IO.StreamReader]::new([Console]::OpenStandardInput(), $utf8)
$writer = [System.IO.StreamWriter]::new([Console]::OpenStandardOutput(), $utf8)
$writer.AutoFlush = $true

# The only commands this host runs; the transports refuse anything else before sending.
$allowed = @{
    exchange   = @{
        connect = @('Connect-ExchangeOnline')
        invoke  = @(
            'New-DataEncryptionPolicy'
            'Get-DataEncryptionPolicy'
            'Set-DataEncryptionPolicy'
            'Set-Mailbox'
            'Set-MailUser'
            'Get-Mailbox'
            'Get-MailUser'
            'Get-MailboxStatistics'
            'New-M365DataAtRestEncryptionPolicy'
            'Get-M365DataAtRestEncryptionPolicy'
            'Set-M365DataAtRestEncryptionPolicy'
            'Test-M365DataAtRestEncryptionPolicy'
            'Set-M365DataAtRestEncryptionPolicyAssignment'
            'Get-M365DataAtRestEncryptionPolicyAssignment'
            'Get-OrganizationConfig'
        )
    }
    sharepoint = @{
        connect = @('Connect-SPOService')
        invoke  = @(
            'Get-SPODataEncryptionPolicy'
            'Register-SPODataEncryptionPolicy'
            'Update-SPODataEncryptionPolicy'
            'Restore-SPODataEncryptionPolicy'
            'Get-SPOSiteDataEncryptionPolicy'
        )
    }
}
$disconnect = @{
    exchange   = @{ cmdlet = 'Disconnect-ExchangeOnline'; parameters = @{ Confirm = $false } }
    sharepoint = @{ cmdlet = 'Disconnect-SPOService'; parameters = @{} }
}
# The host sets these itself; a request may not.
$reserved = @('Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction',
    'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable')
$connected = $false

function Send-Response {
    param([Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Response)
    $writer.WriteLine((ConvertTo-Json -InputObject $Response -Depth 12 -Compress -EnumsAsStrings))
}

function Get-ErrorInfo {
    param([Parameter(Mandatory = $true)] [System.Management.Automation.ErrorRecord] $Record)
    [ordered]@{
        errorId        = [string] $Record.FullyQualifiedErrorId
        exceptionClass = $Record.Exception.GetType().FullName
        reason         = [string] $Record.CategoryInfo.Reason
        category       = $Record.CategoryInfo.Category.ToString()
        message        = [string] $Record.Exception.Message
    }
}

function Get-WarningText {
    param($Warnings)
    if (-not $Warnings) { return , @() }
    return , @(foreach ($warning in $Warnings) { [string] $warning.Message })
}

function Assert-Request {
    param([Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Request)
    $op = $Request['op']
    $cmdlet = $Request['cmdlet']
    if ($op -cnotin @('connect', 'invoke')) { throw [System.ArgumentException]::new('Unknown op.') }
    if ($cmdlet -isnot [string] -or $cmdlet -cnotin $allowed[$Mode][$op]) {
        throw [System.ArgumentException]::new('Cmdlet not allowed by the customer-key host.')
    }
    $parameters = $Request['parameters']
    if ($null -eq $parameters) { $parameters = @{} }
    if ($parameters -isnot [System.Collections.IDictionary]) { throw [System.ArgumentException]::new('Parameters must be an object.') }
    foreach ($name in @($parameters.Keys)) {
        if ($name -cnotmatch '^[A-Za-z][A-Za-z0-9]*$' -or $name -in $reserved) {
            throw [System.ArgumentException]::new('Parameter name not allowed by the customer-key host.')
        }
    }
    return $parameters
}

function Invoke-Request {
    param([Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Request)
    $parameters = Assert-Request -Request $Request
    $command = Get-Command -Name $Request['cmdlet'] -CommandType Cmdlet, Function | Select-Object -First 1
    $cmdletWarnings = $null
    try {
        # Splatting: every value reaches the cmdlet as a bound value, never as script text.
        # Streams 4-6 (verbose, debug, information: Write-Host banners) are dropped so that
        # stdout carries protocol lines only; warnings are collected by -WarningVariable.
        $output = & $command @parameters -WarningVariable cmdletWarnings -WarningAction SilentlyContinue -ErrorAction Stop 4>$null 5>$null 6>$null
    }
    catch {
        return [ordered]@{ id = $Request['id']; ok = $false; value = @(); warnings = (Get-WarningText $cmdletWarnings); error = (Get-ErrorInfo $_) }
    }
    if ($Request['op'] -ceq 'connect') { $script:connected = $true }
    $value = @(foreach ($item in @($output)) { if ($null -ne $item) { $item } })
    return [ordered]@{ id = $Request['id']; ok = $true; value = $value; warnings = (Get-WarningText $cmdletWarnings) }
}

Send-Response ([ordered]@{
        id       = 0
        ok       = $true
        value    = @([ordered]@{ protocol = 1; mode = $Mode; psVersion = $PSVersionTable.PSVersion.ToString() })
        warnings = @()
    })

while ($null -ne ($line = $reader.ReadLine())) {
    if ($line.Length -eq 0) { continue }
    $id = $null
    try {
        # -AsHashtable gives an (ordered) dictionary, splattable; -DateKind String keeps date-like strings as strings.
        $request = ConvertFrom-Json -InputObject $line -AsHashtable -DateKind String
        if ($request -isnot [System.Collections.IDictionary]) { throw [System.ArgumentException]::new('A request must be a JSON object.') }
        $id = $request['id']
        Send-Response (Invoke-Request -Request $request)
    }
    catch {
        Send-Response ([ordered]@{ id = $id; ok = $false; value = @(); warnings = @(); error = (Get-ErrorInfo $_) })
    }
}

# stdin closed: the transport's close(). End the service session, then exit.
if ($connected) {
    try {
        $end = $disconnect[$Mode]
        $endParameters = $end['parameters']
        & (Get-Command -Name $end['cmdlet']) @endParameters -ErrorAction SilentlyContinue 4>$null 5>$null 6>$null | Out-Null
    }
    catch {
        # Leaving anyway.
    }
}
exit 0
