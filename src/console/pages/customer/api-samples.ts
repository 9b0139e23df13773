/**
 * Copy-ready client code for the public API, one sample per language and endpoint, filled with the
 * address the console is served from.
 */

export type Language = 'curl' | 'python' | 'java' | 'php' | 'csharp';
export type Endpoint = 'carrier' | 'balance' | 'batch';

export const LANGUAGES: { key: Language; label: string }[] = [
  { key: 'curl', label: 'curl' },
  { key: 'python', label: 'Python' },
  { key: 'java', label: 'Java' },
  { key: 'php', label: 'PHP' },
  { key: 'csharp', label: 'C#' },
];

export const APIKEY_PLACEHOLDER = 'YOUR_APIKEY';
const MOBILE = '13972565391';
const BATCH = ['13972565391', '18612345678'];

function url(origin: string, endpoint: Exclude<Endpoint, 'batch'>): string {
  return endpoint === 'carrier'
    ? `${origin}/carrier?apikey=${APIKEY_PLACEHOLDER}&mobile=${MOBILE}`
    : `${origin}/balance?apikey=${APIKEY_PLACEHOLDER}`;
}

const batchJson = `{"apikey":"${APIKEY_PLACEHOLDER}","mobiles":[${BATCH.map((m) => `"${m}"`).join(',')}]}`;

function getSample(language: Language, target: string): string {
  switch (language) {
    case 'curl':
      return `curl '${target}'`;
    case 'python':
      return `import requests

resp = requests.get("${target}", timeout=10)
body = resp.json()
if body["code"] == 0:
    print(body["result"])
else:
    print("error", body["code"], body["reason"])`;
    case 'java':
      return `import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class Example {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("${target}")).GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.body());
    }
}`;
    case 'php':
      return `<?php
$body = json_decode(file_get_contents("${target}"), true);
if ($body["code"] === 0) {
    print_r($body["result"]);
} else {
    echo "error {$body["code"]}: {$body["reason"]}\\n";
}`;
    case 'csharp':
      return `using System;
using System.Net.Http;

var client = new HttpClient();
var json = await client.GetStringAsync("${target}");
Console.WriteLine(json);`;
  }
}

function batchSample(language: Language, target: string): string {
  const escaped = batchJson.replace(/"/g, '\\"');
  switch (language) {
    case 'curl':
      return `curl -X POST '${target}' \\
  -H 'Content-Type: application/json' \\
  -d '${batchJson}'`;
    case 'python':
      return `import requests

resp = requests.post(
    "${target}",
    json={"apikey": "${APIKEY_PLACEHOLDER}", "mobiles": ${JSON.stringify(BATCH).replace(/,/g, ', ')}},
    timeout=30,
)
for answer in resp.json()["result"]:
    print(answer["code"], answer.get("result"))`;
    case 'java':
      return `import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class BatchExample {
    public static void main(String[] args) throws Exception {
        String json = "${escaped}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("${target}"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.body());
    }
}`;
    case 'php':
      return `<?php
$payload = json_encode(["apikey" => "${APIKEY_PLACEHOLDER}", "mobiles" => [${BATCH.map((m) => `"${m}"`).join(', ')}]]);
$context = stream_context_create(["http" => [
    "method" => "POST",
    "header" => "Content-Type: application/json\\r\\n",
    "content" => $payload,
]]);
$body = json_decode(file_get_contents("${target}", false, $context), true);
foreach ($body["result"] as $answer) {
    echo $answer["code"], " ", json_encode($answer["result"] ?? null, JSON_UNESCAPED_UNICODE), "\\n";
}`;
    case 'csharp':
      return `using System;
using System.Net.Http;
using System.Text;

var client = new HttpClient();
var json = "${escaped}";
var response = await client.PostAsync("${target}",
    new StringContent(json, Encoding.UTF8, "application/json"));
Console.WriteLine(await response.Content.ReadAsStringAsync());`;
  }
}

export function sample(language: Language, endpoint: Endpoint, origin: string): string {
  return endpoint === 'batch'
    ? batchSample(language, `${origin}/carrier/batch`)
    : getSample(language, url(origin, endpoint));
}

export const RESPONSES: Record<Endpoint, string> = {
  carrier: `{"code":0,"reason":"Succ","result":{"res":"1","Mobile":"13972565391","Area":"湖北-宜昌","Init_isp":"移动","Now_isp":"电信"}}`,
  balance: `{"code":0,"reason":"Succ","result":{"feeType":"预付费","balance":"12048"}}`,
  batch: `{"code":0,"reason":"Succ","result":[
  {"code":0,"reason":"Succ","result":{"res":"1","Mobile":"13972565391","Area":"湖北-宜昌","Init_isp":"移动","Now_isp":"电信"}},
  {"code":0,"reason":"Succ","result":{"res":"0","Mobile":"18612345678","Area":"北京-北京","Init_isp":"联通","Now_isp":"联通"}}
]}`,
};
