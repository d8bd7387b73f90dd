namespace NetSuite.Auth;

/// <summary>The outcome of a NetSuite call: a value, or a classified <see cref="NetSuiteError"/> for expected protocol failures.</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class NetSuiteResult<T>
{
    private readonly T? _value;

    private NetSuiteResult(T? value, NetSuiteError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>True when the call succeeded.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>The value of a successful call.</summary>
    /// <exception cref="InvalidOperationException">The call failed; the message holds the (log-safe) error.</exception>
    public T Value => Error is null
        ? _value!
        : throw new InvalidOperationException($"The NetSuite call failed, there is no value: {Error}");

    /// <summary>The error of a failed call; null on success.</summary>
    public NetSuiteError? Error { get; }

    /// <summary>A successful result.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The result.</returns>
    public static NetSuiteResult<T> Success(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    /// <param name="error">The classified error.</param>
    /// <returns>The result.</returns>
    public static NetSuiteResult<T> Failure(NetSuiteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new NetSuiteResult<T>(default, error);
    }

    /// <summary>Returns <c>Success</c> or <c>Failure: error</c>; never the value, which may be a credential.</summary>
    /// <returns>A log-safe description.</returns>
    public override string ToString() => Error is null ? "Success" : $"Failure: {Error}";
}
