using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// What is due when (<see cref="Scheduler.Index"/>), for every kind and every warning window: pure, no store, no clock
/// but the one passed in.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SchedulerTests
{
    private static readonly DateTimeOffset T0 = MachineWorld.Start;
    private static readonly TimeSpan Lead = new RotationOptions().AccessTokenLeadTime;
    private readonly RotationOptions _defaults = new();

    private ConnectionIndex Index(ConnectionDocument doc, DateTimeOffset? accessExpires = null, DateTimeOffset? now = null) =>
        Scheduler.Index(doc, _defaults, accessExpires, now ?? T0);

    private static ConnectionDocument Confidential(DateTimeOffset refreshEnds)
    {
        var doc = UnitDocuments.OAuth2("oauth-orders", publicClient: false);
        doc.OAuth2!.RefreshTokenExpiresAt = refreshEnds;
        return doc;
    }

    [Fact]
    public void A_confidential_client_without_a_published_access_token_is_due_at_once_and_never_rotates()
    {
        var index = Index(Confidential(T0 + TimeSpan.FromDays(7)));
        Assert.Equal(DateTimeOffset.MinValue, index.NextActionAt);
        Assert.True(index.IsDue(T0));
        Assert.Equal(ConnectionStatus.Healthy, index.State);
        Assert.Equal(T0 + TimeSpan.FromDays(7), index.RefreshExpiresAt);
        Assert.Null(index.RotateAt);
    }

    [Fact]
    public void An_access_token_is_refreshed_its_lead_time_before_it_expires_and_the_connections_own_lead_time_wins()
    {
        var doc = Confidential(T0 + TimeSpan.FromDays(7));
        var expires = T0 + TimeSpan.FromHours(1);
        var index = Index(doc, expires);
        Assert.Equal(expires - Lead, index.NextActionAt);
        Assert.Equal(expires, index.CredentialExpiresAt);
        Assert.False(index.IsDue(expires - Lead - TimeSpan.FromSeconds(1)));
        Assert.True(index.IsDue(expires - Lead));

        doc.Policy.AccessTokenLeadTime = TimeSpan.FromMinutes(5);
        Assert.Equal(expires - TimeSpan.FromMinutes(5), Index(doc, expires).NextActionAt);
    }

    [Fact]
    public void The_expiry_learnt_from_the_stored_index_is_used_when_the_run_learnt_none()
    {
        var doc = Confidential(T0 + TimeSpan.FromDays(7));
        var expires = T0 + TimeSpan.FromMinutes(50);
        doc.StoredIndex = Index(doc, expires);
        Assert.Equal(expires - Lead, Index(doc).NextActionAt);
    }

    [Fact]
    public void The_consent_warning_starts_its_lead_time_before_the_refresh_token_ends_is_a_state_of_the_index_only_and_refreshing_goes_on()
    {
        var end = T0 + TimeSpan.FromDays(7);
        var warning = end - _defaults.ConsentWarningLeadTime;
        var doc = Confidential(end);

        // Before the window the warning's start is itself a due time, when it comes before the next refresh.
        var accessExpires = warning + TimeSpan.FromHours(2);
        var before = Index(doc, accessExpires, warning - TimeSpan.FromSeconds(1));
        Assert.Equal(ConnectionStatus.Healthy, before.State);
        Assert.Equal(warning, before.NextActionAt);

        var inside = Index(doc, accessExpires, warning);
        Assert.Equal(ConnectionStatus.NeedsPerson, inside.State);
        Assert.Equal(ConnectionStatus.Healthy, doc.Status);
        Assert.Equal(accessExpires - Lead, inside.NextActionAt);

        // Without a clock the stored index says whether the warning began.
        doc.StoredIndex = inside;
        Assert.Equal(ConnectionStatus.NeedsPerson, Scheduler.Index(doc, _defaults, accessExpires).State);

        doc.StoredIndex = null;
        doc.Policy.ConsentWarningLeadTime = TimeSpan.FromHours(72);
        Assert.Equal(ConnectionStatus.NeedsPerson, Index(doc, accessExpires, end - TimeSpan.FromHours(72)).State);
        Assert.Equal(ConnectionStatus.Healthy, Index(doc, accessExpires, end - TimeSpan.FromHours(73)).State);
    }

    [Fact]
    public void The_end_of_the_refresh_token_is_due_even_when_no_refresh_comes_before_it()
    {
        var end = T0 + TimeSpan.FromDays(7);
        var doc = Confidential(end);
        var index = Index(doc, end + TimeSpan.FromHours(1), end - TimeSpan.FromHours(1));
        Assert.Equal(end, index.NextActionAt);
        Assert.Equal(ConnectionStatus.NeedsPerson, index.State);
    }

    [Fact]
    public void A_refresh_refused_for_a_person_waits_for_the_slow_retry_not_the_access_token_cycle()
    {
        var doc = Confidential(T0 + TimeSpan.FromDays(7));
        doc.Status = ConnectionStatus.NeedsPerson;
        doc.LastError = new LastError { Class = "NeedsPerson", Code = "invalid_client", Message = "refresh: refused", RetryAt = T0 + TimeSpan.FromHours(6) };
        var index = Index(doc, T0 + TimeSpan.FromHours(1));
        Assert.Equal(T0 + TimeSpan.FromHours(6), index.NextActionAt);
        Assert.Equal(ConnectionStatus.NeedsPerson, index.State);
    }

    [Fact]
    public void A_failing_connection_is_retried_at_its_retry_time_when_that_comes_first()
    {
        var doc = Confidential(T0 + TimeSpan.FromDays(7));
        doc.Status = ConnectionStatus.Failing;
        doc.LastError = new LastError { Class = "Transient", Code = "HTTP_503", Message = "refresh: unavailable", RetryAt = T0 + TimeSpan.FromMinutes(2) };
        Assert.Equal(T0 + TimeSpan.FromMinutes(2), Index(doc, T0 + TimeSpan.FromHours(1)).NextActionAt);

        doc.LastError.RetryAt = T0 + TimeSpan.FromHours(3);
        Assert.Equal(T0 + TimeSpan.FromHours(1) - Lead, Index(doc, T0 + TimeSpan.FromHours(1)).NextActionAt);
    }

    [Fact]
    public void A_refresh_that_was_sent_and_never_answered_is_due_at_once()
    {
        var doc = UnitDocuments.OAuth2("oauth-public", publicClient: true);
        doc.OAuth2!.RefreshStartedAt = T0 - TimeSpan.FromMinutes(5);
        Assert.Equal(T0 - TimeSpan.FromMinutes(5), Index(doc, T0 + TimeSpan.FromHours(1)).NextActionAt);
    }

    [Fact]
    public void A_connection_without_a_refresh_token_has_nothing_due_until_a_consent()
    {
        var doc = Confidential(T0 + TimeSpan.FromDays(7));
        doc.OAuth2!.RefreshToken = null;
        doc.Status = ConnectionStatus.NeedsPerson;
        var index = Index(doc, T0 + TimeSpan.FromHours(1));
        Assert.Null(index.NextActionAt);
        Assert.False(index.IsDue(DateTimeOffset.MaxValue, startRotations: true));
    }

    [Fact]
    public void A_public_client_refreshes_within_half_of_its_single_use_tokens_remaining_validity()
    {
        var doc = UnitDocuments.OAuth2("oauth-public", publicClient: true);
        var oauth = doc.OAuth2!;
        oauth.RefreshTokenIssuedAt = T0;
        oauth.RefreshTokenExpiresAt = T0 + TimeSpan.FromHours(48);
        oauth.ChainEndsAt = T0 + TimeSpan.FromDays(7);
        var accessExpires = T0 + TimeSpan.FromHours(1);

        oauth.PublicRefreshInterval = TimeSpan.FromHours(36);
        Assert.Equal(T0 + TimeSpan.FromHours(24), Index(doc, accessExpires).NextActionAt);

        oauth.PublicRefreshInterval = TimeSpan.FromHours(12);
        Assert.Equal(T0 + TimeSpan.FromHours(12), Index(doc, accessExpires).NextActionAt);

        oauth.PublicRefreshInterval = null;
        Assert.Equal(accessExpires - Lead, Index(doc, accessExpires).NextActionAt);
    }

    [Fact]
    public void A_public_client_is_warned_ahead_of_its_chain_end_not_ahead_of_each_single_use_tokens_end()
    {
        var doc = UnitDocuments.OAuth2("oauth-public", publicClient: true);
        var oauth = doc.OAuth2!;
        oauth.RefreshTokenIssuedAt = T0 - TimeSpan.FromHours(8);
        oauth.RefreshTokenExpiresAt = T0 + TimeSpan.FromHours(40);
        oauth.ChainEndsAt = T0 + TimeSpan.FromDays(5);

        var index = Index(doc, T0 + TimeSpan.FromHours(1));
        Assert.Equal(ConnectionStatus.Healthy, index.State);
        Assert.Equal(T0 + TimeSpan.FromHours(40), index.RefreshExpiresAt);

        oauth.ChainEndsAt = T0 + TimeSpan.FromHours(40);
        Assert.Equal(ConnectionStatus.NeedsPerson, Index(doc, T0 + TimeSpan.FromHours(1)).State);
    }

    [Theory]
    [InlineData(ConnectionKind.OAuth2AuthorizationCode)]
    [InlineData(ConnectionKind.OAuth2ClientCredentials)]
    [InlineData(ConnectionKind.Tba)]
    public void A_paused_connection_is_never_due_whatever_its_kind(ConnectionKind kind)
    {
        var doc = kind switch
        {
            ConnectionKind.OAuth2AuthorizationCode => Confidential(T0 + TimeSpan.FromHours(1)),
            ConnectionKind.OAuth2ClientCredentials => UnitDocuments.ClientCredentials("m2m", T0 + TimeSpan.FromDays(10)),
            _ => UnitDocuments.Tba("tba", T0 - TimeSpan.FromDays(400)),
        };
        doc.Paused = true;
        var index = Index(doc);
        Assert.Equal(ConnectionStatus.Paused, index.State);
        Assert.Null(index.NextActionAt);
        Assert.Null(index.RotateAt);
        Assert.False(index.IsDue(DateTimeOffset.MaxValue, startRotations: true));

        doc.Paused = false;
        Assert.True(Index(doc).IsDue(T0, startRotations: true));
    }

    [Fact]
    public void A_client_credentials_connection_mints_its_lead_time_before_the_access_token_ends_and_rotates_its_certificate_ahead_of_expiry()
    {
        var certificateEnds = T0 + TimeSpan.FromDays(100);
        var doc = UnitDocuments.ClientCredentials("m2m", certificateEnds);
        Assert.Equal(DateTimeOffset.MinValue, Index(doc).NextActionAt);

        var accessExpires = T0 + TimeSpan.FromHours(1);
        var index = Index(doc, accessExpires);
        Assert.Equal(accessExpires - Lead, index.NextActionAt);
        Assert.Equal(accessExpires, index.CredentialExpiresAt);
        Assert.Equal(certificateEnds, index.RefreshExpiresAt);
        Assert.Equal(certificateEnds - _defaults.CertificateRenewBefore, index.RotateAt);

        doc.Policy.CertificateRenewBefore = TimeSpan.FromDays(10);
        Assert.Equal(certificateEnds - TimeSpan.FromDays(10), Index(doc, accessExpires).RotateAt);
    }

    [Fact]
    public void A_certificate_rotation_in_progress_is_due_at_once_and_after_its_promotion_at_the_end_of_grace()
    {
        var doc = UnitDocuments.ClientCredentials("m2m", T0 + TimeSpan.FromDays(20));
        doc.Rotation = new RotationProgress { RotationId = "m2m-rotation", Step = RotationStep.Intent, StartedAt = T0 };
        var index = Index(doc, T0 + TimeSpan.FromHours(1));
        Assert.Equal(DateTimeOffset.MinValue, index.NextActionAt);
        Assert.Null(index.RotateAt);

        doc.Rotation.Step = RotationStep.Promoted;
        doc.Credentials.Previous = new RotatedCredential { Id = "certificate-old", RetireAfter = T0 + TimeSpan.FromHours(48) };
        Assert.Equal(T0 + TimeSpan.FromHours(1) - Lead, Index(doc, T0 + TimeSpan.FromHours(1)).NextActionAt);
        Assert.Equal(T0 + TimeSpan.FromHours(48), Index(doc, T0 + TimeSpan.FromDays(3)).NextActionAt);

        doc.Rotation.NextAttemptAt = T0 + TimeSpan.FromMinutes(30);
        Assert.Equal(T0 + TimeSpan.FromMinutes(30), Index(doc, T0 + TimeSpan.FromDays(3)).NextActionAt);
    }

    [Fact]
    public void A_client_credentials_connection_refused_by_NetSuite_is_retried_on_the_slow_backoff_and_starts_no_rotation()
    {
        var doc = UnitDocuments.ClientCredentials("m2m", T0 + TimeSpan.FromDays(20));
        doc.Status = ConnectionStatus.NeedsPerson;
        doc.LastError = new LastError { Class = "NeedsPerson", Code = "invalid_grant", Message = "mint: refused", RetryAt = T0 + TimeSpan.FromHours(6) };
        var index = Index(doc, T0 + TimeSpan.FromHours(1));
        Assert.Equal(T0 + TimeSpan.FromHours(6), index.NextActionAt);
        Assert.Null(index.RotateAt);
    }

    [Fact]
    public void A_client_credentials_connection_without_a_certificate_has_nothing_due()
    {
        var doc = UnitDocuments.ClientCredentials("m2m", T0 + TimeSpan.FromDays(20));
        doc.Credentials.Current = null;
        var index = Index(doc);
        Assert.Null(index.NextActionAt);
        Assert.Null(index.RotateAt);
    }

    [Fact]
    public void A_TBA_token_is_never_due_on_the_frequent_sweep_and_is_rotated_by_the_daily_one_its_interval_after_it_was_issued()
    {
        var doc = UnitDocuments.Tba("tba", T0 - TimeSpan.FromDays(10));
        var rotateAt = T0 - TimeSpan.FromDays(10) + _defaults.TbaRotationInterval;

        // A scheduled check also makes the daily sweep due (ScheduledCheckTests); here the last one is recent and the
        // check interval long, so only the rotation can make it due.
        doc.Check = CredentialCheck.Worked(rotateAt - TimeSpan.FromMinutes(1), "tokeninfo");
        var index = Scheduler.Index(doc, new RotationOptions { CredentialCheckInterval = TimeSpan.FromDays(30) }, null, T0);
        Assert.Null(index.NextActionAt);
        Assert.Null(index.CredentialExpiresAt);
        Assert.Equal(rotateAt, index.RotateAt);
        Assert.False(index.IsDue(rotateAt, startRotations: false));
        Assert.False(index.IsDue(rotateAt - TimeSpan.FromSeconds(1), startRotations: true));
        Assert.True(index.IsDue(rotateAt, startRotations: true));

        doc.Policy.TbaRotationInterval = TimeSpan.FromDays(30);
        Assert.Equal(T0 + TimeSpan.FromDays(20), Index(doc).RotateAt);
    }

    [Fact]
    public void A_TBA_rotation_step_is_due_at_once_or_at_its_retry_time_or_at_the_end_of_grace()
    {
        var doc = UnitDocuments.Tba("tba", T0 - TimeSpan.FromDays(100));
        doc.Rotation = new RotationProgress { RotationId = "tba-rotation", Step = RotationStep.Issued, StartedAt = T0 };
        Assert.Equal(DateTimeOffset.MinValue, Index(doc).NextActionAt);
        Assert.Null(Index(doc).RotateAt);

        doc.Rotation.NextAttemptAt = T0 + TimeSpan.FromMinutes(10);
        Assert.Equal(T0 + TimeSpan.FromMinutes(10), Index(doc).NextActionAt);

        doc.Rotation = new RotationProgress { RotationId = "tba-rotation", Step = RotationStep.Promoted, StartedAt = T0 };
        doc.Credentials.Previous = new RotatedCredential { Id = "token-old", RetireAfter = T0 + TimeSpan.FromHours(48) };
        Assert.Equal(T0 + TimeSpan.FromHours(48), Index(doc).NextActionAt);
    }

    [Fact]
    public void The_index_carries_the_documents_name_kind_account_and_generation()
    {
        var doc = UnitDocuments.Tba("tba-orders", T0);
        doc.Generation = 7;
        var index = Index(doc);
        Assert.Equal("tba-orders", index.Name.Value);
        Assert.Equal(ConnectionKind.Tba, index.Kind);
        Assert.Equal(MachineWorld.Account, index.Account);
        Assert.Equal(7, index.Generation);
    }
}
