/* A stand-in mstsc.exe for the Wine test prefix (copied to C:\windows\system32 by
 * scripts/windows.sh prefix). It records, as UTF-8 lines appended to the log file named by
 * %SALLYPORT_MSTSC_LOG% (default C:\mstsc-standin.log):
 *
 *   start pid=N
 *   arg[I]=ARG                        every argument
 *   rdp-bom=yes|no                    the file in arg[1]: a UTF-16LE byte-order mark
 *   rdp-crlf=yes|no                   every line ends in CR LF
 *   rdp=LINE                          each line of the file, decoded from UTF-16LE
 *   cred TARGET: found user=USER password-chars=N [password-matches=yes|no]
 *   cred TARGET: missing error=N      (CredReadW failed; 1168 = ERROR_NOT_FOUND)
 *   after N ms:                       with %SALLYPORT_MSTSC_LINGER_MS% = N: like the real
 *   rdp-exists=yes|no                 client, it stays that long, then looks again at the
 *   cred TARGET: ...                  file and the credentials
 *   end
 *
 * The credential targets are the ones Sallyport writes: TERMSRV/<host> from the file's
 * `full address`, and the bare gateway host from `gatewayhostname`. The password itself is
 * never logged; when %SALLYPORT_MSTSC_EXPECT_PASSWORD% is set it is compared instead.
 * Then it exits 0 (like mstsc after handing over to its window). */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static FILE *out;
/* The credential targets the file names: TERMSRV/<host> and the gateway host. */
static wchar_t host_target[600], gateway_target[512];

static void put_utf8(const wchar_t *text, int chars)
{
    int size = WideCharToMultiByte(CP_UTF8, 0, text, chars, NULL, 0, NULL, NULL);
    char *buffer;
    if (size <= 0) return;
    buffer = malloc((size_t)size);
    if (!buffer) return;
    WideCharToMultiByte(CP_UTF8, 0, text, chars, buffer, size, NULL, NULL);
    fwrite(buffer, 1, (size_t)size, out);
    free(buffer);
}

/* host[:port] or [v6]:port -> host, written into `host` (capacity `cap` chars). */
static void host_of(const wchar_t *address, wchar_t *host, size_t cap)
{
    size_t n;
    const wchar_t *end;
    if (address[0] == L'[') {
        address++;
        end = wcschr(address, L']');
    } else {
        end = wcsrchr(address, L':');
    }
    n = end ? (size_t)(end - address) : wcslen(address);
    if (n >= cap) n = cap - 1;
    wmemcpy(host, address, n);
    host[n] = 0;
}

static void check_credential(const wchar_t *target)
{
    PCREDENTIALW cred = NULL;
    fputs("cred ", out);
    put_utf8(target, (int)wcslen(target));
    if (CredReadW(target, CRED_TYPE_DOMAIN_PASSWORD, 0, &cred)) {
        const wchar_t *expect = _wgetenv(L"SALLYPORT_MSTSC_EXPECT_PASSWORD");
        fputs(": found user=", out);
        if (cred->UserName) put_utf8(cred->UserName, (int)wcslen(cred->UserName));
        fprintf(out, " password-chars=%lu", (unsigned long)(cred->CredentialBlobSize / 2));
        if (expect) {
            int same = cred->CredentialBlobSize == wcslen(expect) * sizeof(wchar_t) &&
                       memcmp(cred->CredentialBlob, expect, cred->CredentialBlobSize) == 0;
            fprintf(out, " password-matches=%s", same ? "yes" : "no");
        }
        fputs("\n", out);
        CredFree(cred);
    } else {
        fprintf(out, ": missing error=%lu\n", GetLastError());
    }
}

static void read_rdp(const wchar_t *path)
{
    FILE *file = _wfopen(path, L"rb");
    unsigned char *bytes;
    long size;
    size_t count, i, start;
    wchar_t *text;
    int crlf = 1;
    wchar_t host[512] = L"", gateway[512] = L"";

    if (!file) {
        fputs("rdp-open=failed\n", out);
        return;
    }
    fseek(file, 0, SEEK_END);
    size = ftell(file);
    fseek(file, 0, SEEK_SET);
    bytes = malloc((size_t)size + 2);
    if (!bytes) {
        fclose(file);
        return;
    }
    count = fread(bytes, 1, (size_t)size, file);
    fclose(file);
    bytes[count] = bytes[count + 1] = 0;
    fprintf(out, "rdp-bom=%s\n", count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE ? "yes" : "no");

    /* UTF-16LE after the BOM; wchar_t is 16-bit little-endian on Windows. */
    text = (wchar_t *)(bytes + (count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE ? 2 : 0));
    count = wcslen(text);
    for (i = 0; i < count; i++) {
        if (text[i] == L'\n' && (i == 0 || text[i - 1] != L'\r')) crlf = 0;
        if (text[i] == L'\r' && (i + 1 >= count || text[i + 1] != L'\n')) crlf = 0;
    }
    if (count > 0 && text[count - 1] != L'\n') crlf = 0;
    fprintf(out, "rdp-crlf=%s\n", crlf ? "yes" : "no");

    for (start = 0; start < count;) {
        size_t end = start, len;
        while (end < count && text[end] != L'\r' && text[end] != L'\n') end++;
        len = end - start;
        fputs("rdp=", out);
        put_utf8(text + start, (int)len);
        fputs("\n", out);
        text[end] = 0;
        if (wcsncmp(text + start, L"full address:s:", 15) == 0)
            host_of(text + start + 15, host, 512);
        else if (wcsncmp(text + start, L"gatewayhostname:s:", 18) == 0)
            host_of(text + start + 18, gateway, 512);
        start = end + 1;
        if (start < count && text[start] == L'\n' && end < count) start++;
    }

    if (host[0]) swprintf(host_target, 600, L"TERMSRV/%ls", host);
    wcscpy(gateway_target, gateway);
    free(bytes);
}

int wmain(int argc, wchar_t **argv)
{
    const wchar_t *log = _wgetenv(L"SALLYPORT_MSTSC_LOG");
    int i;
    out = _wfopen(log && log[0] ? log : L"C:\\mstsc-standin.log", L"ab");
    if (!out) return 2;
    fprintf(out, "start pid=%lu\n", GetCurrentProcessId());
    for (i = 0; i < argc; i++) {
        fprintf(out, "arg[%d]=", i);
        put_utf8(argv[i], (int)wcslen(argv[i]));
        fputs("\n", out);
    }
    if (argc > 1) {
        const wchar_t *linger = _wgetenv(L"SALLYPORT_MSTSC_LINGER_MS");
        read_rdp(argv[1]);
        if (host_target[0]) check_credential(host_target);
        if (gateway_target[0]) check_credential(gateway_target);
        if (linger && _wtoi(linger) > 0) {
            fflush(out);
            Sleep((DWORD)_wtoi(linger));
            fprintf(out, "after %d ms:\n", _wtoi(linger));
            fprintf(out, "rdp-exists=%s\n",
                    GetFileAttributesW(argv[1]) != INVALID_FILE_ATTRIBUTES ? "yes" : "no");
            if (host_target[0]) check_credential(host_target);
            if (gateway_target[0]) check_credential(gateway_target);
        }
    }
    fputs("end\n", out);
    fclose(out);
    return 0;
}
