/**
 * Copy-ready examples for bulk jobs and their callbacks on the API page: submitting, following,
 * downloading and cancelling a job with curl, and checking a callback's signature in Python and
 * Java. The verification samples are run by a test against real signatures, as customers paste them.
 */
export type JobSample = 'submit' | 'file' | 'status' | 'results' | 'cancel' | 'list';

export const JOB_SAMPLES: JobSample[] = ['submit', 'file', 'status', 'results', 'cancel', 'list'];

/** `key`: the placeholder the other samples show (api-samples' APIKEY_PLACEHOLDER). */
export function jobSample(sample: JobSample, origin: string, key: string): string {
  switch (sample) {
    case 'submit':
      return `curl -X POST '${origin}/jobs' \\
  -H 'Content-Type: application/json' \\
  -d '{"apikey":"${key}","mobiles":["13972565391","18612345678"],"requestId":"order-20250301-1","callbackUrl":"https://example.com/hooks/mnpd"}'`;
    case 'file':
      return `# multipart, the file in the field "file" (.txt, .csv or .xlsx, up to 1,000,000 numbers)
curl -X POST '${origin}/jobs' -F apikey=${key} -F requestId=list-42 \\
  -F callbackUrl=https://example.com/hooks/mnpd -F file=@numbers.xlsx

# or the file itself as the body, the options in the query string
curl -X POST '${origin}/jobs?apikey=${key}&fileName=numbers.csv' \\
  -H 'Content-Type: text/csv' --data-binary @numbers.csv`;
    case 'status':
      return `curl '${origin}/jobs/JOB_ID?apikey=${key}'`;
    case 'results':
      return `curl -o results.csv  '${origin}/jobs/JOB_ID/results?apikey=${key}&format=csv'
curl -o results.xlsx '${origin}/jobs/JOB_ID/results?apikey=${key}&format=xlsx'
curl '${origin}/jobs/JOB_ID/results?apikey=${key}&format=jsonl'`;
    case 'cancel':
      return `curl -X DELETE '${origin}/jobs/JOB_ID?apikey=${key}'`;
    case 'list':
      return `curl '${origin}/jobs?apikey=${key}&limit=20'`;
  }
}

export const SUBMIT_RESPONSE = `{"code":0,"reason":"Succ","result":{"jobId":"128","status":"queued","total":2,"invalid":0,"duplicates":0,"created":true}}`;

export const STATUS_RESPONSE = `{
  "code": 0,
  "reason": "Succ",
  "result": {
    "jobId": "128", "status": "done", "total": 2, "invalid": 0, "duplicates": 0,
    "processed": 2, "charged": 2, "progress": 1, "counts": { "0": 2 },
    "stopReason": null, "requestId": "order-20250301-1",
    "callbackUrl": "https://example.com/hooks/mnpd",
    "createdAt": "2025-03-01T08:00:00.000Z", "startedAt": "2025-03-01T08:00:00.120Z",
    "finishedAt": "2025-03-01T08:00:00.480Z"
  }
}`;

export const CALLBACK_REQUEST = `POST /hooks/mnpd HTTP/1.1
Content-Type: application/json
X-Mnpd-Event-Id: evt_3f9c0d6e8b2a4c1f9e7d5b3a1c0e8f6d
X-Mnpd-Signature: t=1740816000,v1=5d41402abc4b2a76b9719d911017c592...

{"id":"evt_3f9c0d6e8b2a4c1f9e7d5b3a1c0e8f6d","type":"job.finished","createdAt":"2025-03-01T08:00:00.480Z",
 "data":{"jobId":"128","requestId":"order-20250301-1","status":"done","total":2,"invalid":0,"duplicates":0,
 "processed":2,"charged":2,"counts":{"0":2},"stopReason":null,"finishedAt":"2025-03-01T08:00:00.480Z",
 "resultsUrl":"https://mnpd.example.com/jobs/128/results"}}`;

export type VerifyLanguage = 'python' | 'java';

export const VERIFY_SAMPLES: Record<VerifyLanguage, string> = {
  python: `import hashlib
import hmac
import time


def verify_mnpd_signature(header, body, secret, tolerance=300):
    """header: the X-Mnpd-Signature value; body: the raw request body (bytes), as received."""
    t, signatures = None, []
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            t = value
        elif name == "v1":
            signatures.append(value)
    if t is None or not t.isdigit() or abs(time.time() - int(t)) > tolerance:
        return False
    expected = hmac.new(secret.encode("utf-8"), t.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, candidate.lower()) for candidate in signatures)


# In your handler (Flask shown): check the signature, then act once per event id.
# if not verify_mnpd_signature(request.headers.get("X-Mnpd-Signature"), request.get_data(), SECRET):
#     return "bad signature", 401
# event = request.get_json()
# if already_seen(event["id"]): return "ok"   # retries carry the same id
# fetch(event["data"]["resultsUrl"] + "?apikey=...&format=csv")
`,
  java: `import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public final class MnpdSignature {
    /** header: the X-Mnpd-Signature value; body: the raw request body, as received. */
    public static boolean verify(String header, byte[] body, String secret, long toleranceSeconds)
            throws Exception {
        if (header == null) return false;
        String t = null;
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] pair = part.trim().split("=", 2);
            if (pair.length != 2) continue;
            if (pair[0].equals("t")) t = pair[1];
            else if (pair[0].equals("v1")) signatures.add(pair[1]);
        }
        if (t == null || !t.matches("\\\\d{1,12}")) return false;
        long now = System.currentTimeMillis() / 1000;
        if (Math.abs(now - Long.parseLong(t)) > toleranceSeconds) return false;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
        byte[] expected = mac.doFinal(body);
        for (String candidate : signatures) {
            try {
                if (MessageDigest.isEqual(expected, HexFormat.of().parseHex(candidate))) return true;
            } catch (IllegalArgumentException notHex) {
                // Not one of ours: try the next value.
            }
        }
        return false;
    }

    /** java MnpdSignature.java "<X-Mnpd-Signature>" "<secret>" < body.json */
    public static void main(String[] args) throws Exception {
        byte[] body = System.in.readAllBytes();
        System.out.println(verify(args[0], body, args[1], 300) ? "valid" : "invalid");
    }
}
`,
};
