import { describe, expect, it } from 'vitest';
import { call, callError } from './builtin-harness.js';

// AWS's published Signature V4 test suite, case "get-vanilla": its credentials, time
// (2015-08-30T12:36:00Z), request and expected signature.
const AWS_EXAMPLE = {
  aws_access_key: 'AKIDEXAMPLE',
  aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  aws_region: 'us-east-1',
  aws_service: 'service',
};
const AWS_EXAMPLE_TIME_NS = 1_440_938_160_000_000_000n;

describe('providers.aws.sign_req', () => {
  it("signs AWS's get-vanilla example request with AWS's expected signature", () => {
    const signed = call(
      'providers.aws.sign_req',
      { method: 'GET', url: 'https://example.amazonaws.com/' },
      AWS_EXAMPLE,
      AWS_EXAMPLE_TIME_NS,
    );
    expect(signed).toEqual({
      method: 'GET',
      url: 'https://example.amazonaws.com/',
      headers: {
        Authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,SignedHeaders=host;x-amz-date,Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
      },
    });
  });

  it('keeps headers a proxy may change out of the signature but in the request', () => {
    const plain = call(
      'providers.aws.sign_req',
      { method: 'GET', url: 'https://example.amazonaws.com/' },
      AWS_EXAMPLE,
      AWS_EXAMPLE_TIME_NS,
    ) as { headers: Record<string, string> };
    const withAgent = call(
      'providers.aws.sign_req',
      { method: 'GET', url: 'https://example.amazonaws.com/', headers: { 'User-Agent': 'x/1' } },
      AWS_EXAMPLE,
      AWS_EXAMPLE_TIME_NS,
    ) as { headers: Record<string, string> };
    expect(withAgent.headers.Authorization).toBe(plain.headers.Authorization);
    expect(withAgent.headers['User-Agent']).toBe('x/1');
  });

  it("signs the path and query as Go's net/url gives them, and refuses a URL Go refuses", () => {
    const sign = (url: string) =>
      (
        call(
          'providers.aws.sign_req',
          { method: 'GET', url },
          AWS_EXAMPLE,
          AWS_EXAMPLE_TIME_NS,
        ) as {
          headers: Record<string, string>;
        }
      ).headers.Authorization;
    // Go's EscapedPath of a URL without a path is empty, not '/': the two sign differently.
    expect(sign('https://example.amazonaws.com')).not.toBe(sign('https://example.amazonaws.com/'));
    expect(sign('https://example.amazonaws.com/a?x=1')).not.toBe(
      sign('https://example.amazonaws.com/a?x=2'),
    );
    expect(
      callError(
        'providers.aws.sign_req',
        { method: 'GET', url: 'http://[::1/' },
        AWS_EXAMPLE,
        AWS_EXAMPLE_TIME_NS,
      ),
    ).toMatch(/^providers\.aws\.sign_req: /);
  });

  it('names missing or mistyped configuration and request members, as OPA does', () => {
    expect(
      callError(
        'providers.aws.sign_req',
        { method: 'GET', url: 'https://example.com' },
        { aws_service: 's3' },
        0,
      ),
    ).toBe(
      'providers.aws.sign_req: operand 2 missing required AWS config parameters(s): {"aws_access_key", "aws_region", "aws_secret_access_key"}',
    );
    expect(
      callError('providers.aws.sign_req', { url: 'https://example.com' }, AWS_EXAMPLE, 0),
    ).toBe('providers.aws.sign_req: operand 1 missing required request parameters(s): {"method"}');
    expect(
      callError(
        'providers.aws.sign_req',
        { method: 'GET', url: 'https://example.com', bogus: 1 },
        AWS_EXAMPLE,
        0,
      ),
    ).toBe('providers.aws.sign_req: operand 1 invalid request parameters(s): {"bogus"}');
    expect(
      callError(
        'providers.aws.sign_req',
        { method: 'GET', url: 'https://example.com' },
        { ...AWS_EXAMPLE, disable_payload_signing: 'yes' },
        0,
      ),
    ).toBe(
      "providers.aws.sign_req: operand 2 invalid value for 'disable_payload_signing' in AWS config",
    );
  });
});
