from django.http import Http404


def invite_section(request, pk):
    raise Http404


def invite_school(request, pk):
    raise Http404


def invite_guardian(request, pk):
    raise Http404


def join_by_code(request):
    raise Http404


def accept(request, token):
    raise Http404


def preferences(request):
    raise Http404
