namespace NetSuite.Auth;

/// <summary>The account-specific domains that <c>datacenterurls</c> returns.</summary>
/// <param name="SystemDomain">The application (UI) domain, e.g. <c>https://1234567-sb1.app.netsuite.com</c>.</param>
/// <param name="RestDomain">The RESTlets domain, e.g. <c>https://1234567-sb1.restlets.api.netsuite.com</c>.</param>
/// <param name="WebServicesDomain">The SuiteTalk domain, e.g. <c>https://1234567-sb1.suitetalk.api.netsuite.com</c>.</param>
public sealed record NetSuiteDataCenterUrls(Uri SystemDomain, Uri RestDomain, Uri WebServicesDomain);
