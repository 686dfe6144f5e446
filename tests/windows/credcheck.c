/* Checks that Wine's Credential Manager does what Sallyport's launch path relies on:
 * CredWriteW a domain-password credential for TERMSRV/<host> (session persistence, like
 * crates/launch/src/credman.rs), CredReadW it back with the same user and password, then
 * CredDeleteW it and see that it is gone. Prints one line per step; exit 0 when all pass.
 *
 *   credcheck.exe [TARGET]        (default TERMSRV/host.example)
 *
 * Helpers for tests that need to set up or inspect Credential Manager from another process
 * (domain-password credentials; passwords never on the command line and never printed):
 *   credcheck.exe --list                   every credential, a line each:
 *                                          "TYPE TARGET user=USER persist=N comment=C"
 *   credcheck.exe --write TARGET USER [session|local]
 *                                          the first line of stdin as the password, with
 *                                          the comment "saved by the user" (default: local,
 *                                          i.e. CRED_PERSIST_LOCAL_MACHINE, as mstsc saves)
 *   credcheck.exe --read TARGET            "user=USER persist=N comment=C password-chars=N
 *                                          [password-matches=yes|no]" (compared with
 *                                          %CREDCHECK_EXPECT_PASSWORD%), exit 1 if none
 *   credcheck.exe --delete TARGET          exit 1 if there was none */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

static int round_trip(const wchar_t *target);

static void put(const wchar_t *text, size_t chars)
{
    char buffer[1024];
    int n = WideCharToMultiByte(CP_UTF8, 0, text, (int)chars, buffer, sizeof buffer, NULL, NULL);
    fwrite(buffer, 1, n > 0 ? (size_t)n : 0, stdout);
}

static int list(void)
{
    DWORD count = 0, i;
    PCREDENTIALW *creds = NULL;
    if (!CredEnumerateW(NULL, 0, &count, &creds)) {
        DWORD error = GetLastError();
        printf("(none)\n");
        return error == ERROR_NOT_FOUND ? 0 : 1;
    }
    for (i = 0; i < count; i++) {
        printf("%lu ", creds[i]->Type);
        put(creds[i]->TargetName, wcslen(creds[i]->TargetName));
        printf(" user=");
        if (creds[i]->UserName) put(creds[i]->UserName, wcslen(creds[i]->UserName));
        printf(" persist=%lu comment=", creds[i]->Persist);
        if (creds[i]->Comment) put(creds[i]->Comment, wcslen(creds[i]->Comment));
        printf("\n");
    }
    CredFree(creds);
    return 0;
}

static int write_one(wchar_t *target, wchar_t *user, const wchar_t *persist)
{
    wchar_t password[512];
    wchar_t comment[] = L"saved by the user";
    size_t len;
    CREDENTIALW cred;
    if (!fgetws(password, 512, stdin)) {
        printf("no password on stdin\n");
        return 1;
    }
    len = wcslen(password);
    while (len > 0 && (password[len - 1] == L'\n' || password[len - 1] == L'\r')) password[--len] = 0;
    memset(&cred, 0, sizeof cred);
    cred.Type = CRED_TYPE_DOMAIN_PASSWORD;
    cred.TargetName = target;
    cred.Comment = comment;
    cred.CredentialBlobSize = (DWORD)(len * sizeof(wchar_t));
    cred.CredentialBlob = (LPBYTE)password;
    cred.Persist = wcscmp(persist, L"session") == 0 ? CRED_PERSIST_SESSION : CRED_PERSIST_LOCAL_MACHINE;
    cred.UserName = user;
    if (CredWriteW(&cred, 0)) return 0;
    printf("CredWriteW FAILED (error %lu)\n", GetLastError());
    return 1;
}

static int read_one(const wchar_t *target)
{
    PCREDENTIALW cred = NULL;
    const wchar_t *expect = _wgetenv(L"CREDCHECK_EXPECT_PASSWORD");
    if (!CredReadW(target, CRED_TYPE_DOMAIN_PASSWORD, 0, &cred)) {
        printf("missing (error %lu)\n", GetLastError());
        return 1;
    }
    printf("user=");
    if (cred->UserName) put(cred->UserName, wcslen(cred->UserName));
    printf(" persist=%lu comment=", cred->Persist);
    if (cred->Comment) put(cred->Comment, wcslen(cred->Comment));
    printf(" password-chars=%lu", (unsigned long)(cred->CredentialBlobSize / sizeof(wchar_t)));
    if (expect) {
        int same = cred->CredentialBlobSize == wcslen(expect) * sizeof(wchar_t) &&
                   memcmp(cred->CredentialBlob, expect, cred->CredentialBlobSize) == 0;
        printf(" password-matches=%s", same ? "yes" : "no");
    }
    printf("\n");
    CredFree(cred);
    return 0;
}

int wmain(int argc, wchar_t **argv)
{
    if (argc == 2 && wcscmp(argv[1], L"--list") == 0) return list();
    if ((argc == 4 || argc == 5) && wcscmp(argv[1], L"--write") == 0)
        return write_one(argv[2], argv[3], argc == 5 ? argv[4] : L"local");
    if (argc == 3 && wcscmp(argv[1], L"--read") == 0) return read_one(argv[2]);
    if (argc == 3 && wcscmp(argv[1], L"--delete") == 0) {
        if (CredDeleteW(argv[2], CRED_TYPE_DOMAIN_PASSWORD, 0)) return 0;
        printf("CredDeleteW FAILED (error %lu)\n", GetLastError());
        return 1;
    }
    return round_trip(argc > 1 ? argv[1] : L"TERMSRV/host.example");
}

static int round_trip(const wchar_t *target)
{
    wchar_t user[] = L"EXAMPLE\\vendor";
    const wchar_t password[] = L"p\u00e4ss w0rd";
    CREDENTIALW cred;
    PCREDENTIALW read = NULL;
    int failures = 0;

    memset(&cred, 0, sizeof cred);
    cred.Type = CRED_TYPE_DOMAIN_PASSWORD;
    cred.TargetName = (LPWSTR)target;
    cred.CredentialBlobSize = (DWORD)(wcslen(password) * sizeof(wchar_t));
    cred.CredentialBlob = (LPBYTE)password;
    cred.Persist = CRED_PERSIST_SESSION;
    cred.UserName = user;

    if (CredWriteW(&cred, 0)) {
        printf("CredWriteW ok\n");
    } else {
        printf("CredWriteW FAILED (error %lu)\n", GetLastError());
        return 1;
    }

    if (CredReadW(target, CRED_TYPE_DOMAIN_PASSWORD, 0, &read)) {
        int same_user = read->UserName && wcscmp(read->UserName, user) == 0;
        int same_password = read->CredentialBlobSize == cred.CredentialBlobSize &&
                            memcmp(read->CredentialBlob, password, cred.CredentialBlobSize) == 0;
        printf("CredReadW ok: user %s, password %s, persist %lu\n",
               same_user ? "matches" : "DIFFERS", same_password ? "matches" : "DIFFERS",
               read->Persist);
        if (!same_user || !same_password) failures++;
        CredFree(read);
    } else {
        printf("CredReadW FAILED (error %lu)\n", GetLastError());
        failures++;
    }

    if (CredDeleteW(target, CRED_TYPE_DOMAIN_PASSWORD, 0)) {
        printf("CredDeleteW ok\n");
    } else {
        printf("CredDeleteW FAILED (error %lu)\n", GetLastError());
        failures++;
    }

    read = NULL;
    if (CredReadW(target, CRED_TYPE_DOMAIN_PASSWORD, 0, &read)) {
        printf("after delete: credential STILL THERE\n");
        CredFree(read);
        failures++;
    } else {
        DWORD error = GetLastError();
        printf("after delete: CredReadW %s (error %lu)\n",
               error == ERROR_NOT_FOUND ? "finds nothing" : "fails otherwise", error);
        if (error != ERROR_NOT_FOUND) failures++;
    }

    printf("credcheck: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
